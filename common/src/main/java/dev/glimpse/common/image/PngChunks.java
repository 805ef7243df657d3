package dev.glimpse.common.image;

import java.io.ByteArrayOutputStream;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Checks a PNG against the rules of the PNG specification before any pixel is decoded, and
 * collects what Glimpse needs from its chunks (size, ICC profile, EXIF block). The JDK's PNG reader
 * checks none of this: it ignores checksums, unknown critical chunks, chunk order and the
 * compression method of iCCP/zTXt/iTXt, so damaged or crafted files decode to wrong pixels.
 * Commons Imaging reads chunks without checking them either (and inflates text chunks without a
 * bound), so this walk is our own.
 *
 * <p>A file that breaks a rule is refused, as libpng refuses it for critical chunks; the ancillary
 * chunks whose content changes the pixels we produce (iCCP, eXIf, tRNS) are held to the same
 * rules, the others only to the ones that make the file readable (length, type, compression).
 */
final class PngChunks {
    /** What the chunks say; {@code iccProfile} and {@code exif} are null when absent. */
    record Info(int width, int height, int bitDepth, int colorType, boolean interlaced, int paletteEntries,
                byte[] iccProfile, byte[] exif) {}

    private static final ImageFormat PNG = ImageFormat.PNG;
    private static final int SIGNATURE_LENGTH = 8;
    /** An ICC profile larger than this is not a display profile; refusing it bounds the inflation. */
    static final int MAX_ICC_BYTES = 16 << 20;
    private static final Set<String> CRITICAL = Set.of("IHDR", "PLTE", "IDAT", "IEND");
    /**
     * Ancillary chunks whose content changes the pixels we produce (transparency, colour profile,
     * orientation): their checksums are checked like a critical chunk's. Damage to any other
     * ancillary chunk (text, time, HDR hints) is ignored, as libpng ignores it.
     */
    private static final Set<String> USED = Set.of("tRNS", "iCCP", "eXIf");
    /*
     * Order and count rules for the chunks whose content changes the picture: a second iCCP,
     * tRNS or eXIf, or one placed where the specification forbids it, leaves it to each decoder
     * which one applies. The same rules broken by chunks we do not use (tIME, pHYs, text) are
     * ignored, as libpng ignores them.
     */
    private static final Set<String> SINGLE = Set.of("iCCP", "tRNS", "eXIf");
    private static final Set<String> BEFORE_IDAT = Set.of("PLTE", "iCCP", "tRNS");
    private static final Set<String> BEFORE_PLTE = Set.of("iCCP");
    private static final Set<String> AFTER_PLTE = Set.of("tRNS");

    private PngChunks() {}

    /**
     * The chunks' information, or an {@link ImageProblem} naming the first rule the file breaks.
     * The compressed image data itself is left to the decoder, which refuses data that ends early
     * or fails its checksum; inflating it a second time here to also catch surplus rows after the
     * last one would cost about half again the decode time.
     */
    static Info check(byte[] png) {
        return new Walk(png).run();
    }

    private static final class Walk {
        private final byte[] png;
        private final CRC32 crc = new CRC32();
        private final Set<String> seen = new HashSet<>();
        private int width;
        private int height;
        private int bitDepth;
        private int colorType;
        private boolean interlaced;
        private int paletteEntries;
        private byte[] icc;
        private byte[] exif;
        private int firstIdat = -1;

        Walk(byte[] png) {
            this.png = png;
        }

        Info run() {
            int pos = SIGNATURE_LENGTH;
            String previous = null;
            while (true) {
                if (pos + 8 > png.length) {
                    throw ImageProblem.truncated(PNG, "no IEND chunk");
                }
                long length = readUint(png, pos);
                String type = typeName(png, pos + 4);
                if (length > Integer.MAX_VALUE) {
                    throw ImageProblem.corrupt(PNG, type + " chunk length " + length + " is invalid");
                }
                if (length > png.length - pos - 12L) {
                    throw ImageProblem.truncated(PNG, type + " chunk of " + length + " bytes runs past the end of the file");
                }
                if (!isLetters(png, pos + 4)) {
                    throw ImageProblem.corrupt(PNG, "chunk type " + type + " is not four letters");
                }
                int data = pos + 8;
                int dataLength = (int) length;
                if (Character.isUpperCase(type.charAt(0)) || USED.contains(type)) {
                    crc.reset();
                    crc.update(png, pos + 4, 4 + dataLength);
                    if (crc.getValue() != readUint(png, data + dataLength)) {
                        throw ImageProblem.corrupt(PNG, "bad checksum in " + type + " chunk");
                    }
                }
                if (previous == null && !type.equals("IHDR")) {
                    throw ImageProblem.corrupt(PNG, "first chunk is " + type + ", not IHDR");
                }
                order(type, previous);
                switch (type) {
                    case "IHDR" -> header(data, dataLength);
                    case "PLTE" -> palette(dataLength);
                    case "IDAT" -> {
                        if (firstIdat < 0) {
                            firstIdat = pos;
                        } else if (!"IDAT".equals(previous)) {
                            throw ImageProblem.corrupt(PNG, "IDAT chunks are not consecutive");
                        }
                    }
                    case "IEND" -> {
                        if (dataLength != 0) {
                            throw ImageProblem.corrupt(PNG, "IEND chunk is not empty");
                        }
                        return finish();
                    }
                    case "tRNS" -> transparency(dataLength);
                    case "iCCP" -> icc = iccProfile(data, dataLength);
                    case "zTXt" -> compressedText(data, dataLength, 1);
                    case "iTXt" -> internationalText(data, dataLength);
                    case "eXIf" -> exif = java.util.Arrays.copyOfRange(png, data, data + dataLength);
                    default -> {
                        if (Character.isUpperCase(type.charAt(0)) && !CRITICAL.contains(type)) {
                            throw ImageProblem.corrupt(PNG, "unknown critical chunk " + type);
                        }
                    }
                }
                previous = type;
                pos = data + dataLength + 4;
            }
        }

        private void order(String type, String previous) {
            if (!seen.add(type) && (type.equals("IHDR") || type.equals("PLTE") || SINGLE.contains(type))) {
                throw ImageProblem.corrupt(PNG, "more than one " + type + " chunk");
            }
            if (firstIdat >= 0 && BEFORE_IDAT.contains(type)) {
                throw ImageProblem.corrupt(PNG, type + " chunk after the image data");
            }
            if (seen.contains("PLTE") && BEFORE_PLTE.contains(type)) {
                throw ImageProblem.corrupt(PNG, type + " chunk after PLTE");
            }
            if (AFTER_PLTE.contains(type) && colorType == 3 && !seen.contains("PLTE")) {
                throw ImageProblem.corrupt(PNG, type + " chunk before PLTE");
            }
        }

        private void header(int data, int length) {
            if (length != 13) {
                throw ImageProblem.corrupt(PNG, "IHDR chunk of " + length + " bytes, expected 13");
            }
            long w = readUint(png, data);
            long h = readUint(png, data + 4);
            bitDepth = png[data + 8] & 0xFF;
            colorType = png[data + 9] & 0xFF;
            int compression = png[data + 10] & 0xFF;
            int filter = png[data + 11] & 0xFF;
            int interlace = png[data + 12] & 0xFF;
            if (w == 0 || h == 0 || w > Integer.MAX_VALUE || h > Integer.MAX_VALUE) {
                throw ImageProblem.corrupt(PNG, "image size " + w + "x" + h + " is invalid");
            }
            width = (int) w;
            height = (int) h;
            boolean depthOk = switch (colorType) {
                case 0 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
                case 3 -> bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
                case 2, 4, 6 -> bitDepth == 8 || bitDepth == 16;
                default -> throw ImageProblem.corrupt(PNG, "unknown colour type " + colorType);
            };
            if (!depthOk) {
                throw ImageProblem.corrupt(PNG, "bit depth " + bitDepth + " is invalid for colour type " + colorType);
            }
            if (compression != 0) {
                throw ImageProblem.corrupt(PNG, "unknown compression method " + compression);
            }
            if (filter != 0) {
                throw ImageProblem.corrupt(PNG, "unknown filter method " + filter);
            }
            if (interlace > 1) {
                throw ImageProblem.corrupt(PNG, "unknown interlace method " + interlace);
            }
            interlaced = interlace == 1;
        }

        private void palette(int length) {
            if (colorType == 0 || colorType == 4) {
                throw ImageProblem.corrupt(PNG, "PLTE chunk in a grayscale image");
            }
            if (length == 0 || length % 3 != 0 || length / 3 > 256) {
                throw ImageProblem.corrupt(PNG, "PLTE chunk of " + length + " bytes is not 1 to 256 colours");
            }
            paletteEntries = length / 3;
        }

        private void transparency(int length) {
            boolean ok = switch (colorType) {
                case 0 -> length == 2;
                case 2 -> length == 6;
                case 3 -> length <= paletteEntries;
                default -> false;
            };
            if (!ok) {
                throw ImageProblem.corrupt(PNG, "tRNS chunk of " + length + " bytes does not fit colour type " + colorType);
            }
        }

        private byte[] iccProfile(int data, int length) {
            int method = keywordEnd(data, length, "iCCP") + 1;
            if (method >= data + length) {
                throw ImageProblem.corrupt(PNG, "iCCP chunk has no profile");
            }
            if (png[method] != 0) {
                throw ImageProblem.corrupt(PNG, "unknown compression method " + (png[method] & 0xFF) + " in iCCP chunk");
            }
            try {
                return inflate(method + 1, data + length - method - 1, MAX_ICC_BYTES, "iCCP");
            } catch (ImageProblem e) {
                // Damaged profile data (the chunk's checksum was right, so it was written that way):
                // an unusable profile, ignored as libpng and browsers ignore it.
                return null;
            }
        }

        private void compressedText(int data, int length, int methodOffset) {
            int method = keywordEnd(data, length, "zTXt") + methodOffset;
            if (method >= data + length || png[method] != 0) {
                throw ImageProblem.corrupt(PNG, "unknown compression method in zTXt chunk");
            }
            zlibHeader(method + 1, data + length - method - 1, "zTXt");
        }

        private void internationalText(int data, int length) {
            int flag = keywordEnd(data, length, "iTXt") + 1;
            if (flag + 1 >= data + length) {
                throw ImageProblem.corrupt(PNG, "iTXt chunk is too short");
            }
            int compressed = png[flag];
            int method = png[flag + 1];
            if (compressed != 0 && compressed != 1 || method != 0) {
                throw ImageProblem.corrupt(PNG, "unknown compression method in iTXt chunk");
            }
            if (compressed == 1) {
                int text = flag + 2;
                for (int nul = 0; nul < 2; nul++) { // language tag, translated keyword
                    while (text < data + length && png[text] != 0) {
                        text++;
                    }
                    text++;
                }
                if (text > data + length) {
                    throw ImageProblem.corrupt(PNG, "iTXt chunk is too short");
                }
                zlibHeader(text, data + length - text, "iTXt");
            }
        }

        /** Position of the NUL that ends the 1-79 byte keyword at the start of a chunk. */
        private int keywordEnd(int data, int length, String type) {
            for (int i = data; i < data + Math.min(length, 80); i++) {
                if (png[i] == 0) {
                    if (i == data) {
                        break;
                    }
                    return i;
                }
            }
            throw ImageProblem.corrupt(PNG, type + " chunk has no valid keyword");
        }

        /** A zlib stream header: deflate (method 8), window at most 32 KB, a valid check value, no preset dictionary. */
        private void zlibHeader(int pos, int length, String type) {
            if (length < 2) {
                throw ImageProblem.corrupt(PNG, "empty compressed data in " + type + " chunk");
            }
            int cmf = png[pos] & 0xFF;
            int flg = png[pos + 1] & 0xFF;
            if ((cmf & 0x0F) != 8 || (cmf >> 4) > 7 || ((cmf << 8) | flg) % 31 != 0 || (flg & 0x20) != 0) {
                throw ImageProblem.corrupt(PNG, "unknown compression method in the zlib data of the " + type + " chunk");
            }
        }

        private byte[] inflate(int pos, int length, int max, String type) {
            zlibHeader(pos, length, type);
            Inflater inflater = new Inflater();
            try {
                inflater.setInput(png, pos, length);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buffer = new byte[8192];
                while (!inflater.finished()) {
                    int n = inflater.inflate(buffer);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        throw ImageProblem.corrupt(PNG, "compressed data of the " + type + " chunk ends early");
                    }
                    out.write(buffer, 0, n);
                    if (out.size() > max) {
                        throw ImageProblem.corrupt(PNG, type + " chunk expands to more than " + max + " bytes");
                    }
                }
                return out.toByteArray();
            } catch (DataFormatException e) {
                throw ImageProblem.corrupt(PNG, "bad compressed data in the " + type + " chunk");
            } finally {
                inflater.end();
            }
        }

        private Info finish() {
            if (firstIdat < 0) {
                throw ImageProblem.corrupt(PNG, "no IDAT chunk");
            }
            if (colorType == 3 && paletteEntries == 0) {
                throw ImageProblem.corrupt(PNG, "palette image without a PLTE chunk");
            }
            return new Info(width, height, bitDepth, colorType, interlaced, colorType == 3 ? paletteEntries : -1, icc, exif);
        }
    }

    private static boolean isLetters(byte[] b, int pos) {
        for (int i = 0; i < 4; i++) {
            int c = b[pos + i] & 0xFF;
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z')) {
                return false;
            }
        }
        return true;
    }

    private static long readUint(byte[] b, int pos) {
        return ((b[pos] & 0xFFL) << 24) | ((b[pos + 1] & 0xFFL) << 16) | ((b[pos + 2] & 0xFFL) << 8) | (b[pos + 3] & 0xFFL);
    }

    private static String typeName(byte[] b, int pos) {
        StringBuilder s = new StringBuilder(4);
        for (int i = 0; i < 4; i++) {
            int c = b[pos + i] & 0xFF;
            s.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        return s.toString();
    }
}

package dev.glimpse.common.image;

import java.util.zip.CRC32;

/**
 * Checks the chunk structure of a PNG before decoding. The JDK's PNG reader never looks at chunk
 * checksums, so a file damaged in transfer decodes to wrong pixels; like libpng we refuse a bad
 * checksum on a critical chunk (IHDR, PLTE, IDAT, IEND) and ignore one on an ancillary chunk
 * (text, time, colour hints), whose damage cannot change the pixels we use.
 */
final class PngChunks {
    private static final int SIGNATURE_LENGTH = 8;
    /** The PNG specification caps chunk lengths at 2^31-1; anything larger is a damaged length field. */
    private static final long MAX_CHUNK_LENGTH = Integer.MAX_VALUE;

    private PngChunks() {}

    /** A one-line description of the first structural problem, or null when the chunks are sound. */
    static String problem(byte[] png) {
        int pos = SIGNATURE_LENGTH;
        CRC32 crc = new CRC32();
        while (pos + 8 <= png.length) {
            long length = readUint(png, pos);
            String type = typeName(png, pos + 4);
            if (length > MAX_CHUNK_LENGTH) {
                return "corrupt PNG data (" + type + " chunk length " + length + " is invalid)";
            }
            if (length > png.length - pos - 12L) {
                return "truncated PNG data (" + type + " chunk of " + length + " bytes runs past the end of the file)";
            }
            int dataLength = (int) length;
            boolean critical = Character.isUpperCase(type.charAt(0));
            if (critical) {
                crc.reset();
                crc.update(png, pos + 4, 4 + dataLength);
                if (crc.getValue() != readUint(png, pos + 8 + dataLength)) {
                    return "corrupt PNG data (bad checksum in " + type + " chunk)";
                }
            }
            pos += 12 + dataLength;
            if (type.equals("IEND")) {
                return null;
            }
        }
        return "truncated PNG data (no IEND chunk)";
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

package dev.glimpse.common.image;

import java.nio.charset.StandardCharsets;

/**
 * The formats we decode, recognised by their magic bytes rather than by file name or by asking
 * every installed ImageIO reader: a text file named .jpg, or a format some plugin half-supports
 * (WBMP accepts almost anything starting with two zero bytes), must give a clear "not an image".
 */
enum ImageFormat {
    JPEG("jpeg"),
    PNG("png"),
    GIF("gif"),
    BMP("bmp"),
    TIFF("tiff"),
    WEBP("webp");

    /** The ImageIO format name whose readers decode this format. */
    final String imageIoName;

    ImageFormat(String imageIoName) {
        this.imageIoName = imageIoName;
    }

    /** The format these bytes start with, or null when it is none we decode. */
    static ImageFormat sniff(byte[] b) {
        if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) {
            return JPEG;
        }
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return PNG;
        }
        if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) {
            return GIF;
        }
        if (ascii(b, 0, "BM") && b.length >= 18) {
            return BMP;
        }
        if (startsWith(b, 0, 'I', 'I', 42, 0) || startsWith(b, 0, 'M', 'M', 0, 42)
                || startsWith(b, 0, 'I', 'I', 43, 0) || startsWith(b, 0, 'M', 'M', 0, 43)) {
            return TIFF;
        }
        if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) {
            return WEBP;
        }
        return null;
    }

    /** A name for formats we recognise but do not decode, so the error can say what the file is. */
    static String describeUnsupported(byte[] b) {
        if (ascii(b, 4, "ftyp")) {
            String brand = b.length >= 12 ? new String(b, 8, 4, StandardCharsets.US_ASCII) : "";
            return brand.startsWith("avi") ? "AVIF" : brand.startsWith("he") || brand.startsWith("mif") ? "HEIF" : "ISO media";
        }
        if (startsWith(b, 0, 0xFF, 0x0A) || startsWith(b, 0, 0, 0, 0, 0x0C, 'J', 'X', 'L', ' ')) {
            return "JPEG XL";
        }
        if (startsWith(b, 0, 0, 0, 0, 0x0C, 'j', 'P', ' ', ' ')) {
            return "JPEG 2000";
        }
        if (ascii(b, 0, "8BPS")) {
            return "Photoshop";
        }
        if (ascii(b, 0, "%PDF")) {
            return "PDF";
        }
        if (ascii(b, 0, "<svg") || ascii(b, 0, "<?xml")) {
            return "SVG/XML";
        }
        return null;
    }

    private static boolean ascii(byte[] b, int offset, String s) {
        if (b.length < offset + s.length()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (b[offset + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] b, int offset, int... magic) {
        if (b.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[offset + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}

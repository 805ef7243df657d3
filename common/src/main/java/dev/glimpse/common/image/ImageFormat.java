package dev.glimpse.common.image;

import java.nio.charset.StandardCharsets;
import org.apache.commons.imaging.ImageFormats;
import org.apache.commons.imaging.Imaging;

/**
 * The formats we decode, recognised from the content by Commons Imaging's magic numbers rather
 * than by file name or by asking every installed ImageIO reader (WBMP accepts almost anything that
 * starts with two zero bytes). The magic is only a first guess: the format's own header parser
 * then has to accept the file, or it is refused as a damaged file of that format.
 */
enum ImageFormat {
    JPEG("jpeg", "JPEG", ImageFormats.JPEG),
    PNG("png", "PNG", ImageFormats.PNG),
    GIF("gif", "GIF", ImageFormats.GIF),
    BMP("bmp", "BMP", ImageFormats.BMP),
    TIFF("tiff", "TIFF", ImageFormats.TIFF),
    WEBP("webp", "WebP", ImageFormats.WEBP);

    /** The ImageIO format name whose readers decode this format. */
    final String imageIoName;
    private final String displayName;
    /** The same format in Commons Imaging's terms. */
    final ImageFormats imaging;

    ImageFormat(String imageIoName, String displayName, ImageFormats imaging) {
        this.imageIoName = imageIoName;
        this.displayName = displayName;
        this.imaging = imaging;
    }

    /** The name used in messages, e.g. "truncated WebP data". */
    @Override
    public String toString() {
        return displayName;
    }

    /** The format these bytes start with, or null when it is none we decode. */
    static ImageFormat detect(byte[] bytes) {
        ImageFormats guess = guess(bytes);
        for (ImageFormat f : values()) {
            if (f.imaging == guess) {
                return f;
            }
        }
        return null;
    }

    /**
     * A name for a format we recognise but do not decode, so the error can say what the file is:
     * the image formats Commons Imaging knows (when its parser accepts the header; a text file that
     * happens to start with "P1" is not a PBM image) and a few it does not (AVIF, HEIF, JPEG XL ...).
     */
    static String describeUnsupported(byte[] b) {
        ImageFormats guess = guess(b);
        if (guess != ImageFormats.UNKNOWN && detect(b) == null && parsesAs(b)) {
            return guess.getName();
        }
        if (ascii(b, 4, "ftyp")) {
            String brand = b.length >= 12 ? new String(b, 8, 4, StandardCharsets.US_ASCII) : "";
            return brand.startsWith("avi") ? "AVIF" : brand.startsWith("he") || brand.startsWith("mif") ? "HEIF" : "ISO media";
        }
        if (startsWith(b, 0xFF, 0x0A) || startsWith(b, 0, 0, 0, 0x0C, 'J', 'X', 'L', ' ')) {
            return "JPEG XL";
        }
        if (startsWith(b, 0, 0, 0, 0x0C, 'j', 'P', ' ', ' ')) {
            return "JPEG 2000";
        }
        if (ascii(b, 0, "%PDF")) {
            return "PDF";
        }
        if (ascii(b, 0, "<svg") || ascii(b, 0, "<?xml")) {
            return "SVG/XML";
        }
        return null;
    }

    private static ImageFormats guess(byte[] bytes) {
        if (bytes.length < 2) {
            return ImageFormats.UNKNOWN;
        }
        try {
            return (ImageFormats) Imaging.guessFormat(bytes);
        } catch (Exception e) {
            // Too short to hold the longer magic numbers (RIFF....WEBP).
            return ImageFormats.UNKNOWN;
        }
    }

    private static boolean parsesAs(byte[] bytes) {
        try {
            return Imaging.getImageInfo(bytes) != null;
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            return false;
        }
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

    private static boolean startsWith(byte[] b, int... magic) {
        if (b.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}

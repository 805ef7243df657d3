package dev.glimpse.common.image;

/**
 * Why a file is refused, in words for the user ("corrupt PNG data (bad checksum in IHDR chunk)");
 * {@link ImageLoader} puts the source name in front and turns it into a GlimpseException.
 */
final class ImageProblem extends RuntimeException {
    ImageProblem(String message) {
        super(message, null, false, false);
    }

    static ImageProblem corrupt(ImageFormat format, String detail) {
        return new ImageProblem("corrupt " + format + " data (" + detail + ")");
    }

    static ImageProblem truncated(ImageFormat format, String detail) {
        return new ImageProblem("truncated " + format + " data" + (detail == null ? "" : " (" + detail + ")"));
    }
}

package dev.glimpse.common.image;

import java.awt.image.BufferedImage;

/**
 * Every size a file claims, checked before the pixels it implies are allocated: the header's (read
 * by Commons Imaging or our structure checks) and then the decoder's own reading of it, which must
 * agree. Two readings of one header that differ mean a damaged or crafted file whose picture
 * depends on which program reads it.
 */
final class SizeCheck {
    private final ImageLimits limits;
    private final ImageFormat format;
    private int width = -1;
    private int height = -1;

    SizeCheck(ImageLimits limits, ImageFormat format) {
        this.limits = limits;
        this.format = format;
    }

    /**
     * Checks a size read by {@code who} (e.g. "header", "decoder's") against the limits, the heap
     * and any size read before. {@code bytesPerPixel} is the decoder's raster depth.
     */
    void check(int w, int h, int bytesPerPixel, String who) {
        limits(w, h, bytesPerPixel, who);
        if (width >= 0 && (w != width || h != height)) {
            throw ImageProblem.corrupt(format, "the header says " + width + "x" + height + " but the decoder reads " + w + "x" + h);
        }
        width = w;
        height = h;
    }

    /**
     * The limits alone, for a size that may differ from the header's without a contradiction
     * (a GIF frame smaller than its screen).
     */
    void limits(int w, int h, int bytesPerPixel, String who) {
        if (w <= 0 || h <= 0) {
            throw new ImageProblem(format + " " + who + " size is not valid (" + w + "x" + h + ")");
        }
        long pixels = (long) w * h;
        if (pixels > limits.maxPixels()) {
            throw new ImageProblem(w + "x" + h + " pixels exceeds the limit of " + limits.maxPixels());
        }
        // Decoded raster plus the RGB copy; refusing here beats an OutOfMemoryError halfway through.
        long needed = pixels * (bytesPerPixel + 4L);
        long allowed = (long) (Runtime.getRuntime().maxMemory() * ImageLoader.MAX_HEAP_SHARE);
        if (needed > allowed) {
            throw new ImageProblem(w + "x" + h + " pixels needs about " + (needed >> 20)
                    + " MB to decode, more than the " + (allowed >> 20) + " MB allowed for images");
        }
    }

    /** The decoded picture must have the size that was checked. */
    void checkDecoded(BufferedImage image) {
        if (width >= 0 && (image.getWidth() != width || image.getHeight() != height)) {
            throw ImageProblem.corrupt(format, "the header says " + width + "x" + height + " but "
                    + image.getWidth() + "x" + image.getHeight() + " pixels were decoded");
        }
    }
}

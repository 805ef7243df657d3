package dev.glimpse.common.image;

/**
 * What {@link ImageLoader} agrees to decode. Both limits are checked before any pixel is decoded,
 * so a hostile file (a 100000x100000 header, a multi-gigabyte upload) costs only a header read.
 *
 * @param maxPixels largest width*height accepted; the default is Pillow's MAX_IMAGE_PIXELS
 * @param maxBytes largest encoded file size accepted
 */
public record ImageLimits(long maxPixels, long maxBytes) {
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;
    public static final long DEFAULT_MAX_BYTES = 50L * 1024 * 1024;
    public static final ImageLimits DEFAULT = new ImageLimits(DEFAULT_MAX_PIXELS, DEFAULT_MAX_BYTES);

    public ImageLimits {
        if (maxPixels <= 0 || maxBytes <= 0) {
            throw new IllegalArgumentException("image limits must be positive: " + maxPixels + " pixels, " + maxBytes + " bytes");
        }
    }

    public ImageLimits withMaxPixels(long pixels) {
        return new ImageLimits(pixels, maxBytes);
    }

    public ImageLimits withMaxBytes(long bytes) {
        return new ImageLimits(maxPixels, bytes);
    }
}

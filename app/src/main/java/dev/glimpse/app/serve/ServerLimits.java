package dev.glimpse.app.serve;

import dev.glimpse.common.image.ImageLimits;

/**
 * What one server accepts: upload size, pixel count, time per request and how many requests may
 * wait for the single inference worker before new ones get 503.
 */
public record ServerLimits(long maxUploadBytes, long maxPixels, int timeoutSeconds, int queueCapacity) {
    public static ServerLimits defaults() {
        return new ServerLimits(20L << 20, 40_000_000L, 30, 8);
    }

    /** The image loader limits the services of this server decode uploads with. */
    public ImageLimits imageLimits() {
        return new ImageLimits(maxPixels, maxUploadBytes);
    }
}

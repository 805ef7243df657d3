package dev.glimpse.app.serve;

/**
 * How the inference worker groups requests (TorchServe's batch_size and max_batch_delay) and how
 * long a request may expect to wait before it is refused.
 *
 * @param batchSize        at most this many images are encoded and decoded together
 * @param maxDelayMillis   the worker waits at most this long after a request arrives for others to join it
 * @param maxWaitMillis    a request whose expected wait (the requests ahead of it at the measured
 *                         speed) is longer is refused with 503 at once rather than queued
 * @param batchPixels      images of one batch are decoded together only while their header sizes
 *                         add up to at most this many pixels (one image is always allowed: it passed
 *                         the per-image pixel limit), so decoded pixels in memory stay bounded
 */
public record BatchPolicy(int batchSize, int maxDelayMillis, int maxWaitMillis, long batchPixels) {
    public BatchPolicy {
        if (batchSize < 1 || batchSize > 256 || maxDelayMillis < 0 || maxDelayMillis > 10_000 || maxWaitMillis < 1
                || batchPixels < 1) {
            throw new IllegalArgumentException("batch size 1..256, delay 0..10000 ms, wait and pixels positive");
        }
    }

    public static BatchPolicy defaults() {
        return new BatchPolicy(16, 5, 20_000, 48_000_000L);
    }

    /** One request at a time, as the server did before batching (for comparisons). */
    public static BatchPolicy unbatched() {
        return new BatchPolicy(1, 0, 20_000, 48_000_000L);
    }
}

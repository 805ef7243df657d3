package dev.glimpse.app.serve;

import dev.glimpse.common.image.ImageLimits;

/**
 * What one server accepts, on the HTTP side. Each limit answers one way a client can tie the server
 * up: big uploads ({@code maxUploadBytes}, {@code maxPixels}), many uploads at once
 * ({@code uploadBudgetBytes}: request bodies held in memory together, {@code uploadsInProgress}:
 * bodies being received together, each holding a thread), many connections ({@code maxConnections}),
 * slow clients ({@code headerTimeoutMillis} for the request line and headers,
 * {@code minBytesPerSecond} for bodies, {@code idleTimeoutMillis} for silence) and slow requests
 * ({@code timeoutSeconds}, from arrival to answer).
 */
public record ServerLimits(long maxUploadBytes, long maxPixels, int timeoutSeconds, long uploadBudgetBytes,
                           int uploadsInProgress, int maxThreads, int maxConnections, int idleTimeoutMillis,
                           int headerTimeoutMillis, int minBytesPerSecond) {
    /** Form fields besides the image (question, beam, ...) are short; more is refused while parsing. */
    static final int MAX_FORM_BYTES = 16 << 10;
    /** Multipart bodies carry the image and a few fields. */
    static final int MAX_PARTS = 16;
    /** Room for the multipart headers and the fields around the image. */
    static final long MULTIPART_OVERHEAD = 64 << 10;

    public ServerLimits {
        if (maxUploadBytes < 1 || maxPixels < 1 || timeoutSeconds < 1 || uploadsInProgress < 1 || maxConnections < 1
                || idleTimeoutMillis < 1 || headerTimeoutMillis < 1 || minBytesPerSecond < 0) {
            throw new IllegalArgumentException("server limits must be positive");
        }
        if (uploadBudgetBytes < minimumUploadBudget(maxUploadBytes)) {
            throw new IllegalArgumentException("the upload budget of " + uploadBudgetBytes
                    + " bytes does not hold one upload of " + maxUploadBytes + " bytes");
        }
        if (maxThreads < uploadsInProgress + 8) {
            throw new IllegalArgumentException("server threads (" + maxThreads + ") must exceed uploads in progress ("
                    + uploadsInProgress + ") by at least 8, so that /api/health always finds a thread");
        }
    }

    public static ServerLimits defaults() {
        return new ServerLimits(20L << 20, 40_000_000L, 30, 512L << 20, 32, 64, 1024, 15_000, 10_000, 4096);
    }

    /** The same limits with another upload size, pixel count and timeout (the command line's main options). */
    public ServerLimits with(long uploadBytes, long pixels, int timeout) {
        return new ServerLimits(uploadBytes, pixels, timeout, Math.max(uploadBudgetBytes, minimumUploadBudget(uploadBytes)),
                uploadsInProgress, maxThreads, maxConnections, idleTimeoutMillis, headerTimeoutMillis, minBytesPerSecond);
    }

    public ServerLimits withUploadBudget(long bytes, int inProgress) {
        return new ServerLimits(maxUploadBytes, maxPixels, timeoutSeconds, bytes, inProgress,
                Math.max(maxThreads, inProgress + 8), maxConnections, idleTimeoutMillis, headerTimeoutMillis, minBytesPerSecond);
    }

    public ServerLimits withConnections(int connections, int idleMillis, int headerMillis, int minRate) {
        return new ServerLimits(maxUploadBytes, maxPixels, timeoutSeconds, uploadBudgetBytes, uploadsInProgress,
                maxThreads, connections, idleMillis, headerMillis, minRate);
    }

    /** The smallest upload budget that holds one upload of this size. */
    public static long minimumUploadBudget(long uploadBytes) {
        return UploadBudget.cost(uploadBytes + MULTIPART_OVERHEAD);
    }

    /** The largest request body: the upload and the multipart around it. */
    long maxRequestBytes() {
        return maxUploadBytes + MULTIPART_OVERHEAD;
    }

    /** The image loader limits the services of this server decode uploads with. */
    public ImageLimits imageLimits() {
        return new ImageLimits(maxPixels, maxUploadBytes);
    }
}

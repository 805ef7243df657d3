package dev.glimpse.common.encoder;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A CNN turning images into a pooled feature vector and a spatial grid of region vectors.
 * Not thread-safe: one encoder per thread. Closing releases the network.
 */
public interface ImageEncoder extends AutoCloseable {
    EncoderInfo info();

    /** Encodes the images as one batch; an empty list is not allowed. */
    EncodedBatch encode(List<BufferedImage> images);

    @Override
    void close();
}

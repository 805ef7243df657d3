package dev.glimpse.common.encoder;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * What the three encoder paths (DL4J's graph, SameDiff, oneDNN) share: the info, the random-init
 * centring applied after the network, and the checks on a request. A path only says how raw grid
 * and pooled features come out of its network.
 */
abstract class EncoderPath implements ImageEncoder {
    private final EncoderInfo info;
    private final RandomInitCentering norm;

    EncoderPath(EncoderInfo info, RandomInitCentering norm) {
        this.info = info;
        this.norm = norm;
    }

    @Override
    public final EncoderInfo info() {
        return info;
    }

    @Override
    public final EncodedBatch encode(List<BufferedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to encode");
        }
        EncodedBatch raw = run(images);
        return norm.apply(raw.grid(), raw.pooled());
    }

    /** Features straight from the network: grid [B, R, C] row-major regions, pooled [B, F]; both writable. */
    abstract EncodedBatch run(List<BufferedImage> images);

    /** The same network (sharing its weights and buffers) with other info and centring. */
    abstract EncoderPath withNorm(EncoderInfo newInfo, RandomInitCentering newNorm);
}

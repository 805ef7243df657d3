package dev.glimpse.common.features;

import dev.glimpse.common.encoder.EncoderInfo;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Image features by image id, from a {@link FeatureCache} or computed on the fly; trainers read either. */
public interface FeatureSource {
    EncoderInfo info();

    boolean contains(long imageId);

    /** Pooled vectors [B, F], rows in the order of {@code imageIds}. */
    INDArray pooled(long[] imageIds);

    /** Grids [B, R, C], regions row-major, rows in the order of {@code imageIds}. */
    INDArray grid(long[] imageIds);

    /**
     * The fine-tuned encoder parameters these features came through (a trained model's encoder
     * reused by another), or null for the encoder's base weights. {@link #info()} is the same
     * either way, so this is what tells the two apart.
     */
    default dev.glimpse.common.encoder.TunedWeights tuned() {
        return null;
    }
}

package dev.glimpse.vqa;

import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.features.FeatureSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The image input of the question-only baseline: the same constant for every image, so the model
 * can only learn from the question. One dimension is enough: after the network's L2
 * normalisation and image layer it is a learned constant vector either way.
 */
public final class BlindFeatures implements FeatureSource {
    public static final int DIM = 1;

    /** No encoder produced these. */
    @Override
    public EncoderInfo info() {
        return null;
    }

    @Override
    public boolean contains(long imageId) {
        return true;
    }

    @Override
    public INDArray pooled(long[] imageIds) {
        return Nd4j.ones(imageIds.length, DIM); // [B, 1]
    }

    @Override
    public INDArray grid(long[] imageIds) {
        throw new IllegalStateException("the question-only model reads no grid");
    }
}

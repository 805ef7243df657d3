package dev.glimpse.vqa;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The question-only baseline's "image": the same constant for every image, so whatever the model
 * learns it learns from the question. One dimension is enough: after the network's L2
 * normalisation and image layer it is a learned constant vector either way.
 */
public final class BlindFeatures implements ImageFeatures {
    public static final int DIM = 1;

    @Override
    public int dim() {
        return DIM;
    }

    @Override
    public INDArray pooled(long[] imageIds) {
        return Nd4j.ones(imageIds.length, DIM); // [B, 1]
    }
}

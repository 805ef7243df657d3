package dev.glimpse.vqa;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Pooled image features by image id, as training and validation read them: a feature cache on
 * disk, an encoder run on the fly, or the constant of the question-only baseline.
 */
public interface ImageFeatures {
    /** Length F of one feature vector. */
    int dim();

    /** Features of the images, one row each, in the order asked. */
    INDArray pooled(long[] imageIds); // [B, F]
}

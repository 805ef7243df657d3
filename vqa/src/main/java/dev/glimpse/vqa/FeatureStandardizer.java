package dev.glimpse.vqa;

import dev.glimpse.common.features.ChannelMoments;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-dimension centring and scaling of image features, fitted on the training images and saved
 * with the model. CNN features are all-positive after ReLU and share a large common component
 * (pooled random-init SqueezeNet features of two scene images have cosine ~0.85), so after the
 * network's L2 normalisation every image looks nearly alike; centred and scaled they are nearly
 * orthogonal (cosine ~0.01) and the image branch has something to learn from.
 *
 * @param mean  per-dimension mean over the training images
 * @param scale per-dimension 1 / standard deviation (1 for constant dimensions, see ChannelMoments)
 */
public record FeatureStandardizer(float[] mean, float[] scale) {
    /** Fits on the distinct images among {@code imageIds}, read in batches. */
    public static FeatureStandardizer fit(ImageFeatures features, long[] imageIds, int batchSize) {
        long[] ids = Arrays.stream(imageIds).distinct().toArray();
        ChannelMoments moments = new ChannelMoments(features.dim());
        for (int from = 0; from < ids.length; from += batchSize) {
            long[] batch = Arrays.copyOfRange(ids, from, Math.min(ids.length, from + batchSize));
            moments.add(features.pooled(batch)); // [B, F]
        }
        float[] mean = moments.mean();
        float[] std = moments.std();
        float[] scale = new float[std.length];
        for (int d = 0; d < std.length; d++) {
            scale[d] = 1f / std[d];
        }
        return new FeatureStandardizer(mean, scale);
    }

    /** (raw - mean) * scale, a new array. */
    public INDArray apply(INDArray raw) {
        INDArray m = Nd4j.createFromArray(mean).reshape(1, mean.length);    // [1, F]
        INDArray s = Nd4j.createFromArray(scale).reshape(1, scale.length);  // [1, F]
        return raw.castTo(DataType.FLOAT).subRowVector(m).muliRowVector(s); // [B, F]
    }
}

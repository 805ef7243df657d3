package dev.glimpse.common.imageside;

import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.features.ChannelMoments;
import dev.glimpse.common.features.FeatureSource;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-channel standardisation of image features, fitted on the training images and saved with the
 * model so inference applies exactly the same shift and scale. CNN features (random-init ones
 * above all) are all-positive after ReLU and share a large common component: raw pooled vectors
 * of different images have cosine ~0.85-0.995, so after a network's L2 normalisation every image
 * looks nearly alike; centred and scaled per channel they are nearly orthogonal and the
 * information sits in plain view.
 *
 * @param pooledMean per-channel mean of the pooled vectors [F]
 * @param pooledStd  per-channel standard deviation [F] (1 for channels that never vary)
 * @param gridMean   per-channel mean of the grid vectors over all regions [C], null when the model
 *                   reads no grid
 * @param gridStd    likewise [C]
 */
public record FeatureStandardizer(float[] pooledMean, float[] pooledStd, float[] gridMean, float[] gridStd) {
    /** Distinct images the statistics are estimated on: plenty for a mean and deviation per channel. */
    public static final int MAX_FIT_IMAGES = 2000;
    private static final int FIT_BATCH = 64;

    public FeatureStandardizer {
        if (pooledMean == null || pooledStd == null || pooledMean.length != pooledStd.length) {
            throw new IllegalArgumentException("pooled mean and std must have one value per channel");
        }
        if ((gridMean == null) != (gridStd == null) || gridMean != null && gridMean.length != gridStd.length) {
            throw new IllegalArgumentException("grid mean and std must both be given, one value per channel");
        }
    }

    /** Mean and standard deviation of each channel over the first distinct {@value #MAX_FIT_IMAGES} of {@code ids}. */
    public static FeatureStandardizer fit(FeatureSource source, long[] ids, boolean withGrid) {
        long[] use = Arrays.stream(ids).distinct().limit(MAX_FIT_IMAGES).toArray();
        if (use.length == 0) {
            throw new IllegalArgumentException("no images to fit the feature statistics on");
        }
        ChannelMoments pooled = null;
        ChannelMoments grid = null;
        for (int from = 0; from < use.length; from += FIT_BATCH) {
            long[] part = Arrays.copyOfRange(use, from, Math.min(use.length, from + FIT_BATCH));
            INDArray p = source.pooled(part); // [B, F]
            pooled = (pooled == null ? new ChannelMoments((int) p.size(1)) : pooled).add(p);
            if (withGrid) {
                INDArray g = source.grid(part); // [B, R, C]
                INDArray rows = g.dup('c').reshape(g.size(0) * g.size(1), g.size(2)); // [B*R, C]
                grid = (grid == null ? new ChannelMoments((int) g.size(2)) : grid).add(rows);
            }
        }
        return new FeatureStandardizer(pooled.mean(), pooled.std(), grid == null ? null : grid.mean(),
                grid == null ? null : grid.std());
    }

    /** Leaves features as they are (models trained on raw features). */
    public static FeatureStandardizer identity(int pooledDim, int gridDim) {
        float[] ones = new float[pooledDim];
        java.util.Arrays.fill(ones, 1f);
        float[] gridOnes = new float[gridDim];
        java.util.Arrays.fill(gridOnes, 1f);
        return new FeatureStandardizer(new float[pooledDim], ones, new float[gridDim], gridOnes);
    }

    public boolean hasGrid() {
        return gridMean != null;
    }

    /** Standardised copy of pooled features [B, F]. */
    public INDArray pooled(INDArray pooled) {
        INDArray out = pooled.castTo(DataType.FLOAT).dup('c'); // [B, F]
        return out.subiRowVector(row(pooledMean)).diviRowVector(row(pooledStd));
    }

    /** Standardised copy of grid features [B, R, C]; null stays null, and so does a grid without statistics. */
    public INDArray grid(INDArray grid) {
        if (grid == null || gridMean == null) {
            return grid;
        }
        INDArray out = grid.castTo(DataType.FLOAT).dup('c'); // [B, R, C]
        INDArray rows = out.reshape(out.size(0) * out.size(1), out.size(2)); // [B*R, C] view
        rows.subiRowVector(row(gridMean)).diviRowVector(row(gridStd));
        return out;
    }

    public EncodedBatch apply(EncodedBatch raw) {
        return new EncodedBatch(pooled(raw.pooled()), grid(raw.grid()));
    }

    private static INDArray row(float[] v) {
        return Nd4j.createFromArray(v).reshape(1, v.length);
    }

    /** A feature source that standardises what another one serves. */
    public FeatureSource wrap(FeatureSource source) {
        FeatureStandardizer norm = this;
        return new FeatureSource() {
            @Override
            public EncoderInfo info() {
                return source.info();
            }

            @Override
            public boolean contains(long imageId) {
                return source.contains(imageId);
            }

            @Override
            public INDArray pooled(long[] imageIds) {
                return norm.pooled(source.pooled(imageIds));
            }

            @Override
            public INDArray grid(long[] imageIds) {
                return norm.grid(source.grid(imageIds));
            }
        };
    }
}

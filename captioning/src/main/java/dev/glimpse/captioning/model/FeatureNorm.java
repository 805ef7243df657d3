package dev.glimpse.captioning.model;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.bundle.ModelLimits;
import dev.glimpse.common.features.FeatureSource;
import java.util.Arrays;
import dev.glimpse.common.features.ChannelMoments;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-channel standardisation of image features, fitted on the training images and saved with the
 * model so inference applies exactly the same shift and scale. CNN features (random-init ones
 * above all) share a large common component: raw pooled vectors of different images have cosine
 * ~0.995, the information sits in small deviations that an LSTM learns to read only slowly.
 * Centering and scaling each channel puts it in plain view.
 */
public record FeatureNorm(float[] pooledMean, float[] pooledStd, float[] gridMean, float[] gridStd) {
    static final String POOLED_MEAN = "norm.pooled.mean";
    static final String POOLED_STD = "norm.pooled.std";
    static final String GRID_MEAN = "norm.grid.mean";
    static final String GRID_STD = "norm.grid.std";
    /** Images used to estimate the statistics: plenty for means and deviations of each channel. */
    public static final int MAX_FIT_IMAGES = 2000;

    /** Mean and standard deviation of each channel over {@code ids} (grid channels over all regions too). */
    public static FeatureNorm fit(FeatureSource source, long[] ids, boolean withGrid) {
        long[] use = Arrays.stream(ids).distinct().limit(MAX_FIT_IMAGES).toArray();
        if (use.length == 0) {
            throw new IllegalArgumentException("no images to fit the feature statistics on");
        }
        ChannelMoments pooled = null;
        ChannelMoments grid = null;
        for (int from = 0; from < use.length; from += 64) {
            long[] part = Arrays.copyOfRange(use, from, Math.min(use.length, from + 64));
            INDArray p = source.pooled(part); // [B, F]
            pooled = (pooled == null ? new ChannelMoments((int) p.size(1)) : pooled).add(p);
            if (withGrid) {
                INDArray g = source.grid(part); // [B, R, C]
                INDArray rows = g.dup('c').reshape(g.size(0) * g.size(1), g.size(2)); // [B*R, C]
                grid = (grid == null ? new ChannelMoments((int) g.size(2)) : grid).add(rows);
            }
        }
        return new FeatureNorm(pooled.mean(), pooled.std(), grid == null ? null : grid.mean(),
                grid == null ? null : grid.std());
    }

    /** Standardised copy of pooled features [B, F]. */
    public INDArray pooled(INDArray pooled) {
        INDArray out = pooled.castTo(DataType.FLOAT).dup('c'); // [B, F]
        return out.subiRowVector(row(pooledMean)).diviRowVector(row(pooledStd));
    }

    /** Standardised copy of grid features [B, R, C]; null stays null. */
    public INDArray grid(INDArray grid) {
        if (grid == null || gridMean == null) {
            return grid;
        }
        INDArray out = grid.castTo(DataType.FLOAT).dup('c'); // [B, R, C]
        INDArray rows = out.reshape(out.size(0) * out.size(1), out.size(2)); // [B*R, C] view
        rows.subiRowVector(row(gridMean)).diviRowVector(row(gridStd));
        return out;
    }

    private static INDArray row(float[] v) {
        return Nd4j.createFromArray(v).reshape(1, v.length);
    }

    /** A feature source that standardises what another one serves. */
    public FeatureSource wrap(FeatureSource source) {
        FeatureNorm norm = this;
        return new FeatureSource() {
            @Override
            public dev.glimpse.common.encoder.EncoderInfo info() {
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

    ModelBundle.Writer addTo(ModelBundle.Writer w) {
        w.floats(POOLED_MEAN, pooledMean).floats(POOLED_STD, pooledStd);
        if (gridMean != null) {
            w.floats(GRID_MEAN, gridMean).floats(GRID_STD, gridStd);
        }
        return w;
    }

    /** The statistics saved in a model file, or null for a model trained on raw features. */
    static FeatureNorm from(ModelBundle b, java.nio.file.Path file, int featureDim, int gridDim) {
        if (!b.hasFloats(POOLED_MEAN)) {
            return null;
        }
        FeatureNorm n = new FeatureNorm(b.floats(POOLED_MEAN), b.floats(POOLED_STD),
                b.hasFloats(GRID_MEAN) ? b.floats(GRID_MEAN) : null, b.hasFloats(GRID_STD) ? b.floats(GRID_STD) : null);
        if (n.pooledMean.length != featureDim || n.pooledStd.length != featureDim
                || (n.gridMean != null && (n.gridMean.length != gridDim || n.gridStd == null || n.gridStd.length != gridDim))) {
            throw new GlimpseException(file + ": feature statistics (norm.*.f32) do not match the network's feature sizes");
        }
        ModelLimits.finite(file + ": " + POOLED_MEAN + ".f32", n.pooledMean);
        ModelLimits.positiveFinite(file + ": " + POOLED_STD + ".f32", n.pooledStd);
        if (n.gridMean != null) {
            ModelLimits.finite(file + ": " + GRID_MEAN + ".f32", n.gridMean);
            ModelLimits.positiveFinite(file + ": " + GRID_STD + ".f32", n.gridStd);
        }
        return n;
    }
}

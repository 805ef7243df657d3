package dev.glimpse.vqa;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.train.Progress;
import java.util.HashMap;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link ImageFeatures} over a {@link FeatureSource}. A feature cache on disk is read as is; an
 * encoder run on the fly is run once per image up front ({@link #precompute}) and kept in memory,
 * since every epoch reads every image again (meant for small data: 2048 floats per image).
 */
public final class FeatureSourceFeatures implements ImageFeatures {
    private final FeatureSource source;
    private final Map<Long, float[]> memory;
    private final int dim;

    private FeatureSourceFeatures(FeatureSource source, Map<Long, float[]> memory) {
        this.source = source;
        this.memory = memory;
        this.dim = source.info().pooledDim();
    }

    /** Reads from the source on every call (a feature cache). Every image id must be in it. */
    public static FeatureSourceFeatures direct(FeatureSource source, long[] needed, String sourceName) {
        int missing = 0;
        long first = -1;
        for (long id : needed) {
            if (!source.contains(id)) {
                if (missing++ == 0) {
                    first = id;
                }
            }
        }
        if (missing > 0) {
            throw new GlimpseException(sourceName + ": " + missing + " of " + needed.length
                    + " images have no features (first: image id " + first + "); extract them first with glimpse features");
        }
        return new FeatureSourceFeatures(source, null);
    }

    /** Encodes every image once, in batches, with a progress bar. */
    public static FeatureSourceFeatures precompute(FeatureSource source, long[] imageIds, int batchSize,
                                                   boolean progressBar) {
        Map<Long, float[]> memory = new HashMap<>(imageIds.length * 2);
        long[] distinct = java.util.Arrays.stream(imageIds).distinct().toArray();
        int dim = source.info().pooledDim();
        try (ProgressBar bar = progressBar ? Progress.bar("encoding images", distinct.length, "images") : null) {
            for (int from = 0; from < distinct.length; from += batchSize) {
                long[] ids = java.util.Arrays.copyOfRange(distinct, from, Math.min(distinct.length, from + batchSize));
                float[] rows = source.pooled(ids).castTo(DataType.FLOAT).dup('c').data().asFloat(); // [B*F]
                for (int i = 0; i < ids.length; i++) {
                    memory.put(ids[i], java.util.Arrays.copyOfRange(rows, i * dim, (i + 1) * dim));
                }
                if (bar != null) {
                    bar.stepBy(ids.length);
                }
            }
        }
        return new FeatureSourceFeatures(source, memory);
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public INDArray pooled(long[] imageIds) {
        if (memory == null) {
            return source.pooled(imageIds).castTo(DataType.FLOAT); // [B, F]
        }
        float[] out = new float[imageIds.length * dim];
        for (int i = 0; i < imageIds.length; i++) {
            float[] row = memory.get(imageIds[i]);
            if (row == null) {
                throw new GlimpseException("image id " + imageIds[i] + " has no features");
            }
            System.arraycopy(row, 0, out, i * dim, dim);
        }
        return Nd4j.createFromArray(out).reshape(imageIds.length, dim); // [B, F]
    }
}

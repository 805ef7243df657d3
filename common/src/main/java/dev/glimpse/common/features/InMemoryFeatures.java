package dev.glimpse.common.features;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.train.Progress;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Features of a small data set held in memory: every image is encoded once up front (batched,
 * with a progress bar), then training epochs read copies instead of re-running the CNN. For data
 * sets too large for memory, extract a {@code FeatureCache} with {@code glimpse features}.
 */
public final class InMemoryFeatures implements FeatureSource {
    private final EncoderInfo info;
    private final Map<Long, Integer> row = new HashMap<>();
    private final float[] pooled; // [N * F]
    private final float[] grid; // [N * R * C], or null
    private final int f;
    private final int rc;
    private final int regions;

    private InMemoryFeatures(EncoderInfo info, long[] ids, boolean withGrid) {
        this.info = info;
        this.f = info.pooledDim();
        this.regions = info.gridRows() * info.gridCols();
        this.rc = regions * info.gridDim();
        long gridFloats = withGrid ? (long) ids.length * rc : 0;
        if ((long) ids.length * f + gridFloats > Integer.MAX_VALUE - 8) {
            throw new GlimpseException(ids.length + " images of " + info.describe()
                    + " do not fit in memory: extract a feature cache with `glimpse features` and pass --features");
        }
        this.pooled = new float[ids.length * f];
        this.grid = withGrid ? new float[(int) gridFloats] : null;
    }

    /**
     * Encodes {@code ids} (unique) through {@code source}, {@code batch} images at a time.
     *
     * @param withGrid keep the grids too (attention models)
     */
    public static InMemoryFeatures extract(FeatureSource source, long[] ids, int batch, boolean withGrid,
                                           boolean showProgress) {
        long[] unique = Arrays.stream(ids).distinct().toArray();
        InMemoryFeatures m = new InMemoryFeatures(source.info(), unique, withGrid);
        try (ProgressBar bar = showProgress ? Progress.bar("features", unique.length, "images") : null) {
            for (int from = 0; from < unique.length; from += batch) {
                long[] part = Arrays.copyOfRange(unique, from, Math.min(unique.length, from + batch));
                float[] p = source.pooled(part).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                        .dup('c').data().asFloat(); // [B, F]
                System.arraycopy(p, 0, m.pooled, from * m.f, p.length);
                if (withGrid) {
                    float[] g = source.grid(part).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT)
                            .dup('c').data().asFloat(); // [B, R, C]
                    System.arraycopy(g, 0, m.grid, from * m.rc, g.length);
                }
                for (int i = 0; i < part.length; i++) {
                    m.row.put(part[i], from + i);
                }
                if (bar != null) {
                    bar.stepBy(part.length);
                }
            }
        }
        return m;
    }

    @Override
    public EncoderInfo info() {
        return info;
    }

    @Override
    public boolean contains(long imageId) {
        return row.containsKey(imageId);
    }

    private int rowOf(long id) {
        Integer r = row.get(id);
        if (r == null) {
            throw new IllegalArgumentException("no features for image id " + id);
        }
        return r;
    }

    @Override
    public INDArray pooled(long[] imageIds) {
        float[] out = new float[imageIds.length * f];
        for (int i = 0; i < imageIds.length; i++) {
            System.arraycopy(pooled, rowOf(imageIds[i]) * f, out, i * f, f);
        }
        return Nd4j.create(out, new long[] {imageIds.length, f}, 'c'); // [B, F]
    }

    @Override
    public INDArray grid(long[] imageIds) {
        if (grid == null) {
            throw new IllegalStateException("grids were not kept");
        }
        float[] out = new float[imageIds.length * rc];
        for (int i = 0; i < imageIds.length; i++) {
            System.arraycopy(grid, rowOf(imageIds[i]) * rc, out, i * rc, rc);
        }
        return Nd4j.create(out, new long[] {imageIds.length, regions, info.gridDim()}, 'c'); // [B, R, C]
    }
}

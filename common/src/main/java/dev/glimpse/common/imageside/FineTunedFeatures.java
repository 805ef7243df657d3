package dev.glimpse.common.imageside;

import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.encoder.TunableEncoder;
import dev.glimpse.common.encoder.TunedWeights;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.nn.Ops;
import dev.glimpse.common.nn.Params;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The image side of a training run that fine-tunes its encoder: split-point activations from a cache
 * (the frozen prefix, run once per image), then the trainable suffix and the standardisation, at
 * every step. The standardisation is fitted once on the base weights' features of the training
 * images and then stays fixed (as for a frozen encoder), so resuming and inference standardise
 * exactly as training did. Backward takes the net's gradients of the standardised features back to
 * the encoder's parameters.
 */
public final class FineTunedFeatures {
    private final TunableEncoder encoder;
    private final FeatureSource split;
    private final FeatureStandardizer standardizer;
    private final boolean withGrid;

    private FineTunedFeatures(TunableEncoder encoder, FeatureSource split, FeatureStandardizer standardizer, boolean withGrid) {
        this.encoder = encoder;
        this.split = split;
        this.standardizer = standardizer;
        this.withGrid = withGrid;
    }

    /**
     * @param split        the prefix's activations by image ({@link TunableEncoder#prefix()} through a feature cache)
     * @param standardizer the run's statistics (from a checkpoint), or null to fit them on {@code trainIds} now
     */
    public static FineTunedFeatures of(TunableEncoder encoder, FeatureSource split, FeatureStandardizer standardizer,
                                       long[] trainIds, boolean withGrid) {
        FineTunedFeatures raw = new FineTunedFeatures(encoder, split, null, withGrid);
        FeatureStandardizer std = standardizer != null ? standardizer
                : FeatureStandardizer.fit(raw.source(), trainIds, withGrid);
        return new FineTunedFeatures(encoder, split, std, withGrid);
    }

    public EncoderInfo info() {
        return encoder.info();
    }

    public FeatureStandardizer standardizer() {
        return standardizer;
    }

    public Params params() {
        return encoder.params();
    }

    public TunedWeights tunedWeights() {
        return encoder.tunedWeights();
    }

    /** The image side a model trained this way saves: encoder, statistics and the tuned parameters now. */
    public ImageSide imageSide() {
        return new ImageSide(encoder.info(), standardizer, encoder.tunedWeights());
    }

    /**
     * One training step's forward: per row pooled [B, F], and {@code imageGrids} [U, R, C], the grids of the distinct
     * images {@code rowOf[i]} points into (the encoder ran once per distinct image, since a caption batch often holds
     * several captions of one image).
     */
    public record Step(TunableEncoder.Pass pass, int[] rowOf, INDArray pooled, INDArray imageGrids) {
        /** The grid per row [B, R, C] (a copy, made on request: a caller that shares grids per image needs none). */
        public INDArray grid() {
            if (imageGrids.size(0) == rowOf.length) {
                return imageGrids;
            }
            return Ops.gatherRows(imageGrids, rowOf);
        }
    }

    /** Forward for a training step: standardised pooled [B, F] and grids [U, R, C] (raw grids when the model reads none). */
    public Step forward(long[] imageIds) {
        ImageRows rows = ImageRows.of(imageIds);
        int[] rowOf = rows.imageOf();
        long[] distinct = rows.distinct();
        TunableEncoder.Pass pass = encoder.forward(split.grid(distinct));
        INDArray pooled = standardizer == null ? pass.features().pooled() : standardizer.pooled(pass.features().pooled()); // [U, F]
        INDArray grid = standardizer == null ? pass.features().grid() : standardizer.grid(pass.features().grid()); // [U, R, C]
        if (distinct.length != imageIds.length) {
            pooled = Nd4j.pullRows(pooled, 1, rowOf, 'c'); // [B, F]
        }
        return new Step(pass, rowOf, pooled, grid);
    }

    /**
     * Adds the encoder's parameter gradients for d(loss)/d(standardised features); dGrid may be null, per row [B, R, C]
     * or per distinct image [U, R, C] (the two agree when every row's image is distinct).
     */
    public void backward(Step step, INDArray dPooled, INDArray dGrid) {
        long distinct = step.pass().input().size(0);
        INDArray dp = Nd4j.zeros(DataType.FLOAT, distinct, dPooled.size(1)); // [U, F]
        Ops.scatterAddRows(dp, step.rowOf(), dPooled.castTo(DataType.FLOAT));
        dp.diviRowVector(row(standardizer.pooledStd()));
        INDArray dg = null;
        if (dGrid != null && withGrid) {
            long[] s = dGrid.shape();
            if (s[0] == distinct) {
                dg = dGrid.castTo(DataType.FLOAT).dup('c'); // [U, R, C]
            } else {
                dg = Nd4j.zeros(DataType.FLOAT, distinct, s[1], s[2]); // [U, R, C]
                Ops.scatterAddRows(dg.reshape('c', distinct, s[1] * s[2]), step.rowOf(),
                        dGrid.castTo(DataType.FLOAT).dup('c').reshape('c', s[0], s[1] * s[2]));
            }
            dg.reshape('c', distinct * s[1], s[2]).diviRowVector(row(standardizer.gridStd())); // [U*R, C] view
        }
        encoder.backward(step.pass(), dp, dg);
    }

    /** Standardised features through the current weights, for validation and decoding (no gradients kept). */
    public FeatureSource source() {
        return new FeatureSource() {
            private long[] lastIds;
            private long lastVersion;
            private Step last;

            @Override
            public EncoderInfo info() {
                return encoder.info();
            }

            @Override
            public boolean contains(long imageId) {
                return split.contains(imageId);
            }

            @Override
            public INDArray pooled(long[] imageIds) {
                return step(imageIds).pooled();
            }

            @Override
            public INDArray grid(long[] imageIds) {
                return step(imageIds).grid();
            }

            /** pooled(ids) then grid(ids) run the suffix once; a training step in between invalidates it. */
            private Step step(long[] ids) {
                if (last == null || !Arrays.equals(ids, lastIds) || lastVersion != encoder.params().version()) {
                    last = forward(ids);
                    lastIds = ids.clone();
                    lastVersion = encoder.params().version();
                }
                return last;
            }
        };
    }

    private static INDArray row(float[] v) {
        return Nd4j.createFromArray(v).reshape(1, v.length);
    }
}

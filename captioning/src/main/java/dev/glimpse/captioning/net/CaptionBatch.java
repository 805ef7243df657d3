package dev.glimpse.captioning.net;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training batch: image features and one caption per row.
 *
 * @param pooled pooled image features [B, F]
 * @param grid   grid features [B, R, C] (one per row), or [U, R, C] (one per distinct image, with {@code gridOf}),
 *               or null for a model without attention
 * @param gridOf null when {@code grid} holds one grid per row; else per row the index of its image's grid. Several
 *               captions of one image then share one attention memory: its keys and values are projected once
 *               and its gradient comes back once per image (a fine-tuned encoder batches all captions of an image)
 * @param tokens per row the token ids {@code <start> w1..wn <end>} (ragged, length >= 2; a sampled caption cut
 *               at the step cap has no {@code <end>})
 * @param weights null (every caption counts once), or per row the weight of its tokens' loss: self-critical training
 *                weighs a sampled caption by its reward minus the baseline's, which may be negative
 */
public record CaptionBatch(INDArray pooled, INDArray grid, int[] gridOf, int[][] tokens, double[] weights) {
    /** One grid per row (or none). */
    public CaptionBatch(INDArray pooled, INDArray grid, int[][] tokens) {
        this(pooled, grid, null, tokens, null);
    }

    /** Every caption weighs 1. */
    public CaptionBatch(INDArray pooled, INDArray grid, int[] gridOf, int[][] tokens) {
        this(pooled, grid, gridOf, tokens, null);
    }

    public CaptionBatch {
        if (pooled == null || pooled.rank() != 2) {
            throw new IllegalArgumentException("pooled features must be [B, F]");
        }
        int b = (int) pooled.size(0);
        if (gridOf == null && grid != null && (grid.rank() != 3 || grid.size(0) != b)) {
            throw new IllegalArgumentException("grid must be [" + b + ", R, C], got " + Arrays.toString(grid.shape()));
        }
        if (gridOf != null) {
            if (grid == null || grid.rank() != 3) {
                throw new IllegalArgumentException("gridOf needs a grid [U, R, C], got "
                        + (grid == null ? "none" : Arrays.toString(grid.shape())));
            }
            if (gridOf.length != b) {
                throw new IllegalArgumentException("need " + b + " grid indices, got " + gridOf.length);
            }
            for (int i = 0; i < b; i++) {
                if (gridOf[i] < 0 || gridOf[i] >= grid.size(0)) {
                    throw new IllegalArgumentException("row " + i + ": grid index " + gridOf[i] + " outside [0, " + grid.size(0) + ")");
                }
            }
        }
        if (tokens == null || tokens.length != b) {
            throw new IllegalArgumentException("need " + b + " token sequences, got " + (tokens == null ? 0 : tokens.length));
        }
        for (int i = 0; i < b; i++) {
            if (tokens[i] == null || tokens[i].length < 2) {
                throw new IllegalArgumentException("caption " + i + ": need at least <start> and <end>");
            }
        }
        if (weights != null) {
            if (weights.length != b) {
                throw new IllegalArgumentException("need " + b + " caption weights, got " + weights.length);
            }
            for (int i = 0; i < b; i++) {
                if (!Double.isFinite(weights[i])) {
                    throw new IllegalArgumentException("caption " + i + ": weight " + weights[i] + " is not finite");
                }
            }
        }
    }

    public int size() {
        return tokens.length;
    }

    /** Number of predicted tokens (w1..wn and {@code <end>} of every caption): the loss count. */
    public int targetCount() {
        int n = 0;
        for (int[] t : tokens) {
            n += t.length - 1;
        }
        return n;
    }
}

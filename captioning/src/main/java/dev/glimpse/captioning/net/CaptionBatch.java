package dev.glimpse.captioning.net;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One training batch: image features and one caption per image.
 *
 * @param pooled pooled image features [B, F]
 * @param grid   grid features [B, R, C], or null for a model without attention
 * @param tokens per image the token ids {@code <start> w1..wn <end>} (ragged, length >= 2)
 */
public record CaptionBatch(INDArray pooled, INDArray grid, int[][] tokens) {
    public CaptionBatch {
        if (pooled == null || pooled.rank() != 2) {
            throw new IllegalArgumentException("pooled features must be [B, F]");
        }
        int b = (int) pooled.size(0);
        if (grid != null && (grid.rank() != 3 || grid.size(0) != b)) {
            throw new IllegalArgumentException("grid must be [" + b + ", R, C], got " + Arrays.toString(grid.shape()));
        }
        if (tokens == null || tokens.length != b) {
            throw new IllegalArgumentException("need " + b + " token sequences, got " + (tokens == null ? 0 : tokens.length));
        }
        for (int i = 0; i < b; i++) {
            if (tokens[i] == null || tokens[i].length < 2) {
                throw new IllegalArgumentException("caption " + i + ": need at least <start> and <end>");
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

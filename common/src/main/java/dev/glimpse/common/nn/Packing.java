package dev.glimpse.common.nn;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Row layout of a time-major batch of length-sorted sequences (like PyTorch's packed sequences):
 * step t holds the first {@code batchSize(t)} sequences, rows {@code offset(t) .. offset(t)+batchSize(t)-1};
 * sequence b at step t is row {@code offset(t) + b}. Sequences must be sorted by length, longest first, so
 * the active rows of every step are a prefix. Unpacked (all lengths equal) is the special case {@link #full}.
 */
public final class Packing {
    private final int[] lengths;    // per sequence, non-increasing
    private final int[] batchSizes; // per step, non-increasing
    private final int[] offsets;    // per step
    private final int rows;

    private Packing(int[] lengths) {
        if (lengths.length == 0) {
            throw new IllegalArgumentException("empty batch");
        }
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 1) {
                throw new IllegalArgumentException("sequence " + b + " has length " + lengths[b]);
            }
            if (b > 0 && lengths[b] > lengths[b - 1]) {
                throw new IllegalArgumentException("lengths must be non-increasing: " + Arrays.toString(lengths));
            }
        }
        this.lengths = lengths.clone();
        int steps = lengths[0];
        batchSizes = new int[steps];
        offsets = new int[steps];
        int off = 0;
        for (int t = 0; t < steps; t++) {
            int n = 0;
            while (n < lengths.length && lengths[n] > t) {
                n++;
            }
            batchSizes[t] = n;
            offsets[t] = off;
            off += n;
        }
        rows = off;
    }

    /** Sequences of these lengths (longest first). */
    public static Packing ofLengths(int... lengths) {
        return new Packing(lengths);
    }

    /** Every sequence runs all {@code steps}: rows {@code t*batch + b}. */
    public static Packing full(int steps, int batch) {
        int[] l = new int[batch];
        Arrays.fill(l, steps);
        return new Packing(l);
    }

    /** Indices of the sequences sorted by length, longest first (stable), for building a packed batch. */
    public static int[] orderByLengthDesc(int[] lengths) {
        return IntStream.range(0, lengths.length).boxed()
                .sorted(Comparator.comparingInt((Integer i) -> -lengths[i]))
                .mapToInt(Integer::intValue).toArray();
    }

    public int steps() {
        return batchSizes.length;
    }

    public int batch() {
        return lengths.length;
    }

    /** Total number of rows N = sum of lengths. */
    public int rows() {
        return rows;
    }

    public int batchSize(int t) {
        return batchSizes[t];
    }

    public int offset(int t) {
        return offsets[t];
    }

    public int length(int b) {
        return lengths[b];
    }

    public int row(int t, int b) {
        return offsets[t] + b;
    }

    /** Row of the last valid step of sequence b. */
    public int lastRow(int b) {
        return offsets[lengths[b] - 1] + b;
    }

    public int[] lastRows() {
        int[] r = new int[lengths.length];
        for (int b = 0; b < r.length; b++) {
            r[b] = lastRow(b);
        }
        return r;
    }
}

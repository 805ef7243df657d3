package dev.glimpse.datasets;

import java.util.SplittableRandom;

/**
 * Reproducible orders for training: the permutation of epoch {@code e} depends only on
 * {@code (seed, e)}, so a run resumed at epoch 7 sees exactly the order an uninterrupted run
 * would have seen, whatever happened in epochs 0-6.
 */
public final class SeededShuffle {
    private final long seed;

    public SeededShuffle(long seed) {
        this.seed = seed;
    }

    /** A permutation of {@code 0..n-1} for the given epoch. */
    public int[] epoch(int epoch, int n) {
        // Mix seed and epoch through SplittableRandom so nearby seeds/epochs give unrelated orders.
        return permutation(n, new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (epoch + 1L))).nextLong());
    }

    /** A permutation of {@code 0..n-1} from a seed (Fisher-Yates). */
    public static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        shuffle(order, new SplittableRandom(seed));
        return order;
    }

    /** Shuffles {@code values} in place. */
    public static void shuffle(int[] values, SplittableRandom random) {
        for (int i = values.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = values[i];
            values[i] = values[j];
            values[j] = t;
        }
    }
}

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

    /**
     * The indices {@code 0..n-1} grouped by {@code key} (e.g. the image an item belongs to; each
     * group in index order), the groups in this epoch's shuffled order: the order of training that
     * runs the encoder once per image.
     */
    public java.util.List<int[]> groups(int epoch, int n, java.util.function.IntToLongFunction key) {
        java.util.Map<Long, java.util.List<Integer>> byKey = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            byKey.computeIfAbsent(key.applyAsLong(i), k -> new java.util.ArrayList<>()).add(i);
        }
        java.util.List<int[]> groups = new java.util.ArrayList<>(byKey.size());
        byKey.values().forEach(g -> groups.add(g.stream().mapToInt(Integer::intValue).toArray()));
        int[] order = epoch(epoch, groups.size());
        java.util.List<int[]> out = new java.util.ArrayList<>(groups.size());
        for (int g : order) {
            out.add(groups.get(g));
        }
        return out;
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

package dev.glimpse.datasets;

import java.util.Arrays;

/** Finds a repeated id in O(n log n) on primitive longs (a boxed HashSet costs ~50 bytes per id). */
final class Duplicates {
    private Duplicates() {}

    /**
     * Returns {@code {firstIndex, secondIndex}} of the first id (in input order) that repeats an
     * earlier one, or null if all ids are distinct.
     */
    static int[] find(long[] ids, int n) {
        long[] sorted = Arrays.copyOf(ids, n);
        Arrays.sort(sorted);
        boolean any = false;
        for (int i = 1; i < n; i++) {
            if (sorted[i] == sorted[i - 1]) {
                any = true;
                break;
            }
        }
        if (!any) {
            return null;
        }
        // Report the earliest second occurrence in file order: that is the record a user will look at.
        java.util.HashMap<Long, Integer> first = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            Integer prev = first.putIfAbsent(ids[i], i);
            if (prev != null) {
                return new int[] {prev, i};
            }
        }
        throw new IllegalStateException("duplicate vanished");
    }
}

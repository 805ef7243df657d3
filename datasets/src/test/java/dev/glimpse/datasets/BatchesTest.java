package dev.glimpse.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BatchesTest {
    @Test
    void epochPermutationsAreReproducibleAndDiffer() {
        SeededShuffle s = new SeededShuffle(42);
        int[] e0 = s.epoch(0, 100);
        assertArrayEquals(e0, new SeededShuffle(42).epoch(0, 100));
        assertFalse(Arrays.equals(e0, s.epoch(1, 100)));
        assertFalse(Arrays.equals(e0, new SeededShuffle(43).epoch(0, 100)));
        int[] sorted = e0.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 100; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void shuffleIsRoughlyUniform() {
        // Position of element 0 over many shuffles of 4: each slot ~1/4 (a biased swap would skew it).
        int[] counts = new int[4];
        SplittableRandom r = new SplittableRandom(1);
        for (int t = 0; t < 8000; t++) {
            int[] a = {0, 1, 2, 3};
            SeededShuffle.shuffle(a, r);
            for (int i = 0; i < 4; i++) {
                if (a[i] == 0) {
                    counts[i]++;
                }
            }
        }
        for (int c : counts) {
            assertTrue(c > 1800 && c < 2200, Arrays.toString(counts));
        }
    }

    @Test
    void fixedSizeBatches() {
        int[] order = {5, 3, 1, 0, 2, 4, 6};
        List<int[]> b = Batches.of(order, 3, false);
        assertEquals(3, b.size());
        assertArrayEquals(new int[] {5, 3, 1}, b.get(0));
        assertArrayEquals(new int[] {6}, b.get(2));
        assertEquals(2, Batches.of(order, 3, true).size());
        assertEquals(0, Batches.of(new int[0], 3, false).size());
    }

    @Test
    void lengthBucketsCoverEveryItemOnceSortedLongestFirst() {
        int n = 103;
        int[] lengths = new int[n];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < n; i++) {
            lengths[i] = 1 + r.nextInt(20);
        }
        int[] order = SeededShuffle.permutation(n, 9);
        List<int[]> batches = Batches.byLength(order, i -> lengths[i], 8, 4, 5);
        boolean[] seen = new boolean[n];
        int spreadSum = 0;
        for (int[] b : batches) {
            assertTrue(b.length <= 8);
            for (int k = 0; k < b.length; k++) {
                assertFalse(seen[b[k]]);
                seen[b[k]] = true;
                if (k > 0) {
                    assertTrue(lengths[b[k - 1]] >= lengths[b[k]]);
                }
            }
            spreadSum += lengths[b[0]] - lengths[b[b.length - 1]];
        }
        for (boolean s : seen) {
            assertTrue(s);
        }
        // Bucketing makes batches far more homogeneous than random batches of 8 (spread ~14 on 1..20).
        assertTrue(spreadSum / (double) batches.size() < 8, "mean spread " + spreadSum / (double) batches.size());
        assertEquals(batches.size(), Batches.byLength(order, i -> lengths[i], 8, 4, 5).size());
        assertArrayEquals(batches.get(0), Batches.byLength(order, i -> lengths[i], 8, 4, 5).get(0));
    }
}

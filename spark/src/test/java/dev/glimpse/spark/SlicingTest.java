package dev.glimpse.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlicingTest {
    static List<ImageEntry> entries(int n) {
        List<ImageEntry> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new ImageEntry(1000 + i, "file:/img/" + i + ".jpg"));
        }
        return list;
    }

    @Test
    void slicesCoverTheListInOrderOnBatchBoundaries() {
        for (int n : new int[] {1, 5, 16, 17, 63, 64, 65, 200}) {
            for (int batch : new int[] {1, 4, 16}) {
                for (int partitions : new int[] {1, 2, 3, 7, 100}) {
                    List<ImageEntry> todo = entries(n);
                    List<Slice> slices = Slicing.slices(todo, batch, partitions);
                    int batches = (n + batch - 1) / batch;
                    assertEquals(Math.min(partitions, batches), slices.size());
                    List<ImageEntry> joined = new ArrayList<>();
                    int min = Integer.MAX_VALUE;
                    int max = 0;
                    for (int s = 0; s < slices.size(); s++) {
                        Slice slice = slices.get(s);
                        assertEquals(s, slice.index());
                        assertTrue(!slice.images().isEmpty());
                        if (s < slices.size() - 1) {
                            assertEquals(0, slice.images().size() % batch, "a slice ends mid-batch");
                        }
                        joined.addAll(slice.images());
                        int full = (slice.images().size() + batch - 1) / batch;
                        min = Math.min(min, full);
                        max = Math.max(max, full);
                    }
                    assertEquals(todo, joined);
                    assertTrue(max - min <= 1, "uneven slices: " + min + ".." + max + " batches");
                }
            }
        }
    }

    @Test
    void defaultPartitionsUseEveryCoreAndBoundSliceSize() {
        assertEquals(2, Slicing.defaultPartitions(10, 2));
        assertEquals(1, Slicing.defaultPartitions(10, 0));
        assertEquals(8, Slicing.defaultPartitions(8 * Slicing.IMAGES_PER_SLICE, 2));
        assertEquals(9, Slicing.defaultPartitions(8 * Slicing.IMAGES_PER_SLICE + 1, 2));
    }
}

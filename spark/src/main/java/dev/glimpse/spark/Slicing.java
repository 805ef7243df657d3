package dev.glimpse.spark;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the images still to encode into contiguous slices on batch boundaries. Each slice's
 * batches are then exactly the batches {@code glimpse features} forms over the same list, so
 * every image is encoded in the same company and the features come out bit for bit the same.
 */
final class Slicing {
    /** Default slice size: small enough that a killed driver or lost executor costs little, large enough that opening the encoder per slice does not show. */
    static final int IMAGES_PER_SLICE = 2048;

    private Slicing() {}

    /** Slices for {@code partitions} tasks (fewer when there are fewer batches), sizes differing by at most one batch. */
    static List<Slice> slices(List<ImageEntry> todo, int batch, int partitions) {
        if (batch < 1 || partitions < 1) {
            throw new IllegalArgumentException("batch " + batch + " and partitions " + partitions + " must be positive");
        }
        int batches = (todo.size() + batch - 1) / batch;
        int n = Math.min(partitions, batches);
        List<Slice> slices = new ArrayList<>(n);
        int from = 0;
        for (int s = 0; s < n; s++) {
            int count = batches / n + (s < batches % n ? 1 : 0);
            int to = Math.min(todo.size(), from + count * batch);
            slices.add(new Slice(s, List.copyOf(todo.subList(from, to))));
            from = to;
        }
        return slices;
    }

    /** One slice per core Spark offers, more when slices would exceed {@link #IMAGES_PER_SLICE}. */
    static int defaultPartitions(int images, int parallelism) {
        return Math.max(Math.max(1, parallelism), (images + IMAGES_PER_SLICE - 1) / IMAGES_PER_SLICE);
    }
}

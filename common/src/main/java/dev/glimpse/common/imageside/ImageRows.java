package dev.glimpse.common.imageside;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The distinct images of a batch of questions, in first-seen order, and for each question the row of its image:
 * grids are read and projected once per image, however many questions ask about it.
 */
public record ImageRows(long[] distinct, int[] imageOf) {
    public static ImageRows of(long[] imageIds) {
        Map<Long, Integer> index = new LinkedHashMap<>();
        int[] imageOf = new int[imageIds.length];
        for (int i = 0; i < imageIds.length; i++) {
            imageOf[i] = index.computeIfAbsent(imageIds[i], k -> index.size());
        }
        return new ImageRows(index.keySet().stream().mapToLong(Long::longValue).toArray(), imageOf);
    }
}

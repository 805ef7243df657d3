package dev.glimpse.datasets;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A Karpathy split file.
 *
 * @param dataset      the file's {@code dataset} field ({@code coco}, {@code flickr8k}, ...), or null
 * @param missingFiles image files that do not exist on disk
 */
public record KarpathyDataset(String dataset, List<KarpathyImage> images, List<Path> missingFiles) {
    public static final Set<String> SPLITS = Set.of("train", "val", "test", "restval");

    public KarpathyDataset {
        images = List.copyOf(images);
        missingFiles = List.copyOf(missingFiles);
    }

    /**
     * The images of the given splits in file order; the usual training set is
     * {@code split("train", "restval")}.
     */
    public List<KarpathyImage> split(String... names) {
        Set<String> wanted = Set.of(names);
        for (String n : wanted) {
            if (!SPLITS.contains(n)) {
                throw new IllegalArgumentException("unknown split " + n + ", expected one of " + SPLITS);
            }
        }
        return images.stream().filter(i -> wanted.contains(i.split())).toList();
    }
}

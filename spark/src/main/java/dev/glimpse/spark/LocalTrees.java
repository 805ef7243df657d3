package dev.glimpse.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removal of the temporary local folders tasks and merges work in. */
final class LocalTrees {
    private LocalTrees() {}

    /** Deletes a folder and everything in it, best effort: what stays is scratch space, never read again. */
    static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // left for the OS temp cleaner or the next merge
        }
    }
}

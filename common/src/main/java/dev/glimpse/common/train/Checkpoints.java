package dev.glimpse.common.train;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a training run keeps its files, beside the model the user asked for: the best model
 * (by validation score) is written to {@code out} itself, the latest resumable checkpoint (with
 * optimizer state) to {@code out.ckpt.zip}. Both are written atomically, so {@code kill -9}
 * leaves the previous complete file.
 */
public record Checkpoints(Path best, Path latest) {
    public static Checkpoints beside(Path out) {
        Path abs = out.toAbsolutePath().normalize();
        String name = abs.getFileName().toString();
        String stem = name.endsWith(".zip") ? name.substring(0, name.length() - 4) : name;
        return new Checkpoints(abs, abs.resolveSibling(stem + ".ckpt.zip"));
    }

    public boolean hasLatest() {
        return Files.isRegularFile(latest);
    }

    public Path lossCurve() {
        return beside(".loss.png");
    }

    /** The gradient-flow picture: |dLoss/dh_t| over time steps per epoch. */
    public Path gradientFlow() {
        return beside(".gradflow.png");
    }

    private Path beside(String suffix) {
        String name = best.getFileName().toString();
        String stem = name.endsWith(".zip") ? name.substring(0, name.length() - 4) : name;
        return best.resolveSibling(stem + suffix);
    }
}

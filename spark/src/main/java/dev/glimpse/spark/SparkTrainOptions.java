package dev.glimpse.spark;

import dev.glimpse.common.GlimpseException;
import picocli.CommandLine.Option;

/** The options {@code train captioner} and {@code train vqa} take on Spark besides the CLI's own. */
final class SparkTrainOptions {
    @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
            description = "Slices of each global batch, one task each per step (default: the cores Spark offers).")
    int partitions;

    int slices(int defaultParallelism) {
        if (partitions < 0) {
            throw new GlimpseException("--partitions must be at least 1 (or 0 for the default), got " + partitions);
        }
        return partitions > 0 ? partitions : Math.max(1, defaultParallelism);
    }
}

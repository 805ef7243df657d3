package dev.glimpse.common.features;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Encodes images into a {@link FeatureCache}, batch by batch. Images already committed are
 * skipped (a rerun continues an interrupted one); images that fail to load are reported and
 * skipped, not fatal.
 */
public final class FeatureExtractor {
    /** @param progress where the progress bar goes (null = none) */
    public record Options(int batchSize, ImageLoader loader, PrintStream progress) {
        public Options {
            if (batchSize < 1) {
                throw new GlimpseException("batch size must be at least 1, got " + batchSize);
            }
        }

        public static Options defaults() {
            return new Options(16, new ImageLoader(), System.err);
        }
    }

    public record Failure(long id, Path file, String reason) {}

    /**
     * @param requested      distinct image ids asked for
     * @param alreadyCached  of those, found committed from an earlier run
     * @param encoded        encoded and committed by this run
     * @param skipped        images that could not be loaded
     * @param bytesPerImage  record size on disk
     * @param cacheBytes     size of the whole cache after this run
     * @param seconds        wall time spent loading and encoding
     */
    public record Report(int requested, int alreadyCached, int encoded, List<Failure> skipped,
                         long bytesPerImage, long cacheBytes, double seconds) {
        public double imagesPerSecond() {
            return seconds > 0 ? encoded / seconds : 0;
        }
    }

    private FeatureExtractor() {}

    public static Report extract(List<ImageRef> images, ImageEncoder encoder, Path outDir, Options options) {
        List<Failure> failures = new ArrayList<>();
        int encoded = 0;
        int already = 0;
        long start = System.nanoTime();
        List<ImageRef> todo = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        try (FeatureCacheWriter writer = FeatureCacheWriter.openOrCreate(outDir, encoder.info())) {
            for (ImageRef ref : images) {
                if (!seen.add(ref.id())) {
                    continue;
                }
                if (writer.contains(ref.id())) {
                    already++;
                } else {
                    todo.add(ref);
                }
            }
            try (ProgressBar bar = progressBar(options.progress(), todo.size())) {
                for (int from = 0; from < todo.size(); from += options.batchSize()) {
                    List<ImageRef> chunk = todo.subList(from, Math.min(todo.size(), from + options.batchSize()));
                    List<BufferedImage> pixels = new ArrayList<>(chunk.size());
                    long[] ids = new long[chunk.size()];
                    int n = 0;
                    for (ImageRef ref : chunk) {
                        try {
                            pixels.add(options.loader().load(ref.file()));
                            ids[n++] = ref.id();
                        } catch (GlimpseException e) {
                            failures.add(new Failure(ref.id(), ref.file(), e.getMessage()));
                        }
                    }
                    if (n > 0) {
                        EncodedBatch batch = encoder.encode(pixels);
                        writer.append(n == ids.length ? ids : java.util.Arrays.copyOf(ids, n), batch);
                        encoded += n;
                    }
                    if (bar != null) {
                        bar.stepBy(chunk.size());
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long cacheBytes = (long) writer.size() * (writer.recordBytes() + CommitLog.ENTRY);
            return new Report(seen.size(), already, encoded, failures, writer.recordBytes(), cacheBytes, seconds);
        }
    }

    private static ProgressBar progressBar(PrintStream out, int total) {
        if (out == null || total == 0) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName("features").setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(out))
                .setUnit(" img", 1).showSpeed().setUpdateIntervalMillis(500).build();
    }
}

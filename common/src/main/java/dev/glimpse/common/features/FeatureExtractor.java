package dev.glimpse.common.features;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    /**
     * @param progress where the progress bar goes (null = none)
     * @param repair   verify the whole cache first and re-extract images whose commit entry or record
     *                 is damaged ({@code glimpse features --repair}); without it damage is an error
     */
    public record Options(int batchSize, ImageLoader loader, PrintStream progress, boolean repair) {
        public Options {
            if (batchSize < 1) {
                throw new GlimpseException("batch size must be at least 1, got " + batchSize);
            }
        }

        public Options(int batchSize, ImageLoader loader, PrintStream progress) {
            this(batchSize, loader, progress, false);
        }

        public static Options defaults() {
            return new Options(16, new ImageLoader(), System.err);
        }
    }

    public record Failure(long id, Path file, String reason) {}

    /**
     * Decodes one listed image (the default reads {@link ImageRef#file()} with the options' loader;
     * the Spark module reads through Hadoop's file systems). A {@link GlimpseException} skips the
     * image; any other exception ends the extraction. Called on the decoding thread.
     */
    @FunctionalInterface
    public interface ImageReader {
        BufferedImage read(ImageRef ref);
    }

    /**
     * @param requested      distinct image ids asked for
     * @param alreadyCached  of those, found committed from an earlier run
     * @param encoded        encoded and committed by this run
     * @param skipped        images that could not be loaded
     * @param bytesPerImage  record size on disk
     * @param cacheBytes     size of the whole cache after this run
     * @param seconds        wall time spent loading and encoding
     * @param repaired       slots a {@code repair} gave up (their images were extracted again when listed)
     */
    public record Report(int requested, int alreadyCached, int encoded, List<Failure> skipped,
                         long bytesPerImage, long cacheBytes, double seconds, List<FeatureCacheWriter.Repair> repaired) {
        public double imagesPerSecond() {
            return seconds > 0 ? encoded / seconds : 0;
        }
    }

    private FeatureExtractor() {}

    public static Report extract(List<ImageRef> images, ImageEncoder encoder, Path outDir, Options options) {
        return extract(images, encoder, outDir, options, ref -> options.loader().load(ref.file()));
    }

    /** As {@link #extract(List, ImageEncoder, Path, Options)}, decoding images with {@code reader}. */
    public static Report extract(List<ImageRef> images, ImageEncoder encoder, Path outDir, Options options,
                                 ImageReader reader) {
        List<Failure> failures = new ArrayList<>();
        int encoded = 0;
        int already = 0;
        long start = System.nanoTime();
        List<ImageRef> todo = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        try (FeatureCacheWriter writer = FeatureCacheWriter.openOrCreate(outDir, encoder.info(), options.repair())) {
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
            // Decoding (~50 ms per COCO JPEG) runs one batch ahead on its own thread, overlapping the network.
            ExecutorService decoder = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "glimpse-image-decoder");
                t.setDaemon(true);
                return t;
            });
            try (ProgressBar bar = progressBar(options.progress(), todo.size())) {
                int batch = options.batchSize();
                Future<Loaded> next = todo.isEmpty() ? null
                        : decoder.submit(() -> load(todo.subList(0, Math.min(todo.size(), batch)), reader));
                for (int from = 0; from < todo.size(); from += batch) {
                    Loaded cur = next.get();
                    int nextFrom = from + batch;
                    if (nextFrom < todo.size()) {
                        List<ImageRef> ahead = todo.subList(nextFrom, Math.min(todo.size(), nextFrom + batch));
                        next = decoder.submit(() -> load(ahead, reader));
                    }
                    failures.addAll(cur.failures());
                    if (!cur.images().isEmpty()) {
                        writer.append(cur.ids(), encoder.encode(cur.images()));
                        encoded += cur.ids().length;
                    }
                    if (bar != null) {
                        bar.stepBy(cur.ids().length + cur.failures().size());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("feature extraction interrupted", e);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
            } finally {
                decoder.shutdownNow();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long cacheBytes = (long) writer.size() * (writer.recordBytes() + CommitLog.ENTRY);
            return new Report(seen.size(), already, encoded, failures, writer.recordBytes(), cacheBytes, seconds,
                    writer.repairs());
        }
    }

    private record Loaded(List<BufferedImage> images, long[] ids, List<Failure> failures) {}

    /** Decodes one batch; images that fail are reported, not fatal. */
    private static Loaded load(List<ImageRef> refs, ImageReader reader) {
        List<BufferedImage> images = new ArrayList<>(refs.size());
        long[] ids = new long[refs.size()];
        List<Failure> failures = new ArrayList<>();
        for (ImageRef ref : refs) {
            try {
                images.add(reader.read(ref));
                ids[images.size() - 1] = ref.id();
            } catch (GlimpseException e) {
                failures.add(new Failure(ref.id(), ref.file(), e.getMessage()));
            }
        }
        return new Loaded(images, Arrays.copyOf(ids, images.size()), failures);
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

package dev.glimpse.spark;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.encoder.Encoders;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.features.FeatureCache;
import dev.glimpse.common.features.FeatureExtractor;
import dev.glimpse.common.features.ImageRef;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The work of one partition, on an executor: takes one encoder for the whole slice (opened once,
 * and kept for the executor's next partitions, see {@link EncoderPool}), encodes the slice into a
 * feature cache of its own with {@link FeatureExtractor} (the code {@code glimpse features} runs,
 * so batches, float16 records and commit protocol are the same), publishes it to the parts
 * folder and reports back. On a local (or mounted) parts folder the cache is written in place;
 * elsewhere (HDFS, S3) it is written to the executor's temp folder and copied up when complete.
 */
final class ShardTask implements FlatMapFunction<Iterator<Slice>, PartResult> {
    private static final long serialVersionUID = 1L;

    /**
     * @param expectedJson encoder info the features must match (from the existing cache or parts), or null
     * @param expectedFrom where that info comes from, for the message when they differ
     */
    record Settings(String runId, String partsUri, EncoderOptions encoder, int batch, String expectedJson,
                    String expectedFrom) implements java.io.Serializable {}

    private final Settings settings;
    private final Broadcast<SerializableConfiguration> conf;
    private final ImageSource source;

    ShardTask(Settings settings, Broadcast<SerializableConfiguration> conf, ImageSource source) {
        this.settings = settings;
        this.conf = conf;
        this.source = source;
    }

    @Override
    public Iterator<PartResult> call(Iterator<Slice> slices) throws IOException {
        Backend.init(); // before ND4J loads in this executor
        List<PartResult> results = new ArrayList<>();
        while (slices.hasNext()) {
            results.add(extract(slices.next(), conf.value().value()));
        }
        return results.iterator();
    }

    private PartResult extract(Slice slice, Configuration hadoop) throws IOException {
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 0 : task.attemptNumber();
        PartStore store = new PartStore(new Path(settings.partsUri()), hadoop);
        Path dir = store.attemptDir(settings.runId(), slice.index(), attempt);
        boolean inPlace = HadoopFiles.isLocal(dir);
        java.nio.file.Path work = inPlace ? HadoopFiles.local(dir) : Files.createTempDirectory("glimpse-part-");
        try {
            Map<Long, ImageEntry> byId = new HashMap<>();
            List<ImageRef> refs = new ArrayList<>(slice.images().size());
            for (ImageEntry e : slice.images()) {
                byId.put(e.id(), e);
                refs.add(new ImageRef(e.id(), java.nio.file.Path.of(new Path(e.uri()).getName())));
            }
            ImageLoader loader = new ImageLoader();
            long start = System.nanoTime();
            String poolKey = settings.encoder().poolKey();
            ImageEncoder encoder = EncoderPool.borrow(poolKey, this::openEncoder);
            double openSeconds = (System.nanoTime() - start) / 1e9;
            FeatureExtractor.Report report;
            EncoderInfo info;
            boolean reusable = false;
            try {
                info = encoder.info();
                requireExpected(info);
                report = FeatureExtractor.extract(refs, encoder, work,
                        new FeatureExtractor.Options(settings.batch(), loader, null),
                        ref -> source.read(byId.get(ref.id()), loader, hadoop));
                reusable = true;
            } finally {
                if (reusable) {
                    EncoderPool.giveBack(poolKey, encoder);
                } else {
                    encoder.close();
                }
            }
            long[] ids;
            try (FeatureCache written = FeatureCache.open(work)) {
                ids = written.ids();
            }
            if (!inPlace) {
                upload(work, dir, hadoop);
            }
            store.publish(dir, PartMarker.of(slice.index(), attempt, ids, info));
            List<SkippedImage> skipped = new ArrayList<>();
            for (FeatureExtractor.Failure f : report.skipped()) {
                skipped.add(new SkippedImage(f.id(), f.reason()));
            }
            return new PartResult(slice.index(), dir.toString(), report.encoded(), skipped, host(), openSeconds,
                    report.seconds());
        } finally {
            if (!inPlace) {
                LocalTrees.delete(work);
            }
        }
    }

    /** Opens the encoder; errors about the shipped weights name the file as the user gave it. */
    private ImageEncoder openEncoder() {
        EncoderOptions options = settings.encoder();
        try {
            return Encoders.open(options.onExecutor());
        } catch (GlimpseException e) {
            java.nio.file.Path shipped = options.shippedWeights();
            String message = e.getMessage();
            if (shipped == null || message == null || !message.contains(shipped.toString())) {
                throw e;
            }
            throw new GlimpseException(message.replace(shipped.toString(), options.weights()), e);
        }
    }

    private void requireExpected(EncoderInfo info) throws IOException {
        if (settings.expectedJson() == null) {
            return;
        }
        EncoderInfo expected = Json.MAPPER.readValue(settings.expectedJson(), EncoderInfo.class);
        if (!expected.sameFeatures(info)) {
            throw new GlimpseException(settings.expectedFrom() + ": holds features of " + expected.describe() + " but "
                    + info.describe() + " was requested; use another output folder or delete this one");
        }
    }

    /** Copies the finished cache file by file; the marker, written after, is what makes it count. */
    private static void upload(java.nio.file.Path work, Path dir, Configuration hadoop) throws IOException {
        FileSystem fs = HadoopFiles.fileSystem(dir, hadoop);
        fs.mkdirs(dir);
        try (Stream<java.nio.file.Path> files = Files.list(work)) {
            for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                fs.copyFromLocalFile(false, true, new Path(f.toUri()), new Path(dir, f.getFileName().toString()));
            }
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown host";
        }
    }
}

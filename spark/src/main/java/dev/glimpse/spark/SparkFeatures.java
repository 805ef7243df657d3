package dev.glimpse.spark;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.features.FeatureCache;
import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.SerializableConfiguration;

/**
 * {@code glimpse features} on a Spark cluster. The driver lists the images, leaves out those
 * already in the cache or in complete parts, and cuts the rest into batch-aligned slices; each
 * partition encodes its slice into a part (a feature cache of its own) in the parts folder;
 * then the driver merges every complete part into the cache folder and deletes the parts.
 *
 * <p>Where things live: the parts folder is on a file system every node reaches (HDFS, S3, a
 * shared mount; by default {@code OUT/spark-parts}, enough for local mode); the cache folder is
 * on the driver's local or mounted file system, since training memory-maps it.
 *
 * <p>Faults: a task that fails is retried by Spark into a new attempt folder; the failed
 * attempt's folder has no marker, is never read and is deleted after the merge. A killed driver
 * leaves complete parts and possibly a partly merged cache (a valid prefix, by the cache's commit
 * protocol); the next run encodes only what neither holds and finishes the merge.
 */
final class SparkFeatures {
    static final String DEFAULT_PARTS = "spark-parts";

    /**
     * @param listFile   COCO captions JSON, or VQA questions JSON when {@code vqa}
     * @param images     folder the listed file names are relative to
     * @param out        the cache folder (local or mounted)
     * @param parts      parts folder URI, or null for {@code out/spark-parts}
     * @param partitions slices to cut the work into, 0 = {@link Slicing#defaultPartitions}
     */
    record Request(String listFile, boolean vqa, String images, EncoderOptions encoder, int batch,
                   java.nio.file.Path out, String parts, int partitions) {}

    /**
     * @param listed         distinct images the list names
     * @param alreadyCached  of those, in the cache or in complete parts before this run
     * @param encoded        encoded by this run's tasks
     * @param partitions     tasks this run started (0 when nothing was left to encode)
     * @param extractSeconds wall time of the Spark job
     * @param taskOpenSeconds   summed over tasks: opening the encoder
     * @param taskEncodeSeconds summed over tasks: loading, encoding and writing images
     * @param encoder        description of the encoder the cache holds features of
     */
    record Report(int listed, int alreadyCached, int encoded, List<SkippedImage> skipped, int partitions,
                  double extractSeconds, double taskOpenSeconds, double taskEncodeSeconds, CacheMerge.Result merge, String partsFolder, String encoder,
                  long bytesPerImage, long cacheBytes) {
        double imagesPerSecond() {
            return extractSeconds > 0 ? encoded / extractSeconds : 0;
        }
    }

    private final JavaSparkContext sc;
    private final ImageSource source;
    private final PrintWriter log;

    SparkFeatures(JavaSparkContext sc, ImageSource source, PrintWriter log) {
        this.sc = sc;
        this.source = source;
        this.log = log;
    }

    Report run(Request r) {
        Configuration conf = sc.hadoopConfiguration();
        List<ImageEntry> list = ImageListing.read(r.listFile(), r.vqa(), r.images(), conf);
        PartStore store = new PartStore(partsFolder(r, conf), conf);
        Job job = extract(r, list, store);
        PartStore.Scan scan = store.scan();
        CacheMerge.Result merged = new CacheMerge(scan.complete(), r.out(), conf).merge(list);
        for (PartStore.Part p : scan.complete()) {
            store.delete(p.dir());
        }
        for (Path dir : scan.incomplete()) {
            store.delete(dir);
        }
        store.deleteRootIfEmpty();
        if (!FeatureCache.exists(r.out())) {
            throw new GlimpseException(r.listFile() + ": no image could be encoded, no cache was written");
        }
        try (FeatureCache cache = FeatureCache.open(r.out())) {
            return new Report(list.size(), job.alreadyCached(), job.encoded(), job.skipped(), job.partitions(), job.seconds(),
                    job.openSeconds(), job.encodeSeconds(), merged, store.root().toString(), cache.info().describe(), cache.recordBytes(), cache.diskBytes());
        }
    }

    /** The Spark stage: encodes what neither the cache nor a complete part holds. */
    record Job(int alreadyCached, int encoded, List<SkippedImage> skipped, int partitions, double seconds,
               double openSeconds, double encodeSeconds) {}

    Job extract(Request r, List<ImageEntry> list, PartStore store) {
        Configuration conf = sc.hadoopConfiguration();
        Set<Long> done = new HashSet<>();
        EncoderInfo expected = null;
        String expectedFrom = null;
        if (FeatureCache.exists(r.out())) {
            try (FeatureCache cache = FeatureCache.open(r.out())) {
                for (long id : cache.ids()) {
                    done.add(id);
                }
                expected = cache.info();
                expectedFrom = r.out().toString();
            }
        }
        for (PartStore.Part p : store.scan().complete()) {
            for (long id : p.marker().ids()) {
                done.add(id);
            }
            if (expected == null) {
                expected = p.marker().encoder();
                expectedFrom = p.dir().toString();
            }
        }
        List<ImageEntry> todo = new ArrayList<>();
        for (ImageEntry e : list) {
            if (!done.contains(e.id())) {
                todo.add(e);
            }
        }
        if (todo.isEmpty()) {
            return new Job(list.size(), 0, List.of(), 0, 0, 0, 0);
        }
        int partitions = r.partitions() > 0 ? r.partitions() : Slicing.defaultPartitions(todo.size(), sc.defaultParallelism());
        List<Slice> slices = Slicing.slices(todo, r.batch(), partitions);
        if (r.encoder().weights() != null) {
            sc.addFile(r.encoder().weights()); // to every executor, found there by file name
        }
        ShardTask task = new ShardTask(new ShardTask.Settings(PartStore.newRunId(), store.root().toString(), r.encoder(),
                r.batch(), expected == null ? null : json(expected), expectedFrom),
                sc.broadcast(new SerializableConfiguration(conf)), source);
        log.printf("encoding %d images in %d partitions; parts in %s%n", todo.size(), slices.size(), store.root());
        log.flush();
        long start = System.nanoTime();
        List<PartResult> results = sc.parallelize(slices, slices.size()).mapPartitions(task).collect();
        double seconds = (System.nanoTime() - start) / 1e9;
        int encoded = 0;
        double open = 0;
        double encode = 0;
        List<SkippedImage> skipped = new ArrayList<>();
        for (PartResult p : results) {
            if (!store.exists(new Path(p.attemptDir(), PartStore.MARKER))) {
                throw new GlimpseException(p.attemptDir() + ": the part written on " + p.host() + " is not visible to the"
                        + " driver; pass --parts on a file system every node shares (HDFS, S3 or a shared mount)");
            }
            encoded += p.encoded();
            skipped.addAll(p.skipped());
            open += p.openSeconds();
            encode += p.encodeSeconds();
        }
        return new Job(list.size() - todo.size(), encoded, skipped, slices.size(), seconds, open, encode);
    }

    static Path partsFolder(Request r, Configuration conf) {
        String parts = r.parts() != null ? r.parts() : r.out().toAbsolutePath().resolve(DEFAULT_PARTS).toUri().toString();
        return HadoopFiles.qualified(parts, conf);
    }

    private static String json(EncoderInfo info) {
        try {
            return Json.MAPPER.writeValueAsString(info);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

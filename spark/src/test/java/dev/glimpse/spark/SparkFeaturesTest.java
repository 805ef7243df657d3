package dev.glimpse.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderRequest;
import dev.glimpse.common.encoder.Encoders;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.features.FeatureCache;
import dev.glimpse.common.features.FeatureExtractor;
import dev.glimpse.datasets.ImageLists;
import dev.glimpse.common.features.ImageRef;
import dev.glimpse.common.image.ImageLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feature extraction in Spark's local mode (2 task threads, a failed task tried twice) against
 * single-machine extraction of the same images with the same encoder: the caches must be
 * byte for byte the same, whatever failed or was interrupted on the way.
 */
class SparkFeaturesTest {
    static final int SIZE = 64;
    static final int BATCH = 4;
    static JavaSparkContext sc;

    @TempDir
    Path tmp;

    @BeforeAll
    static void spark() {
        sc = LocalSpark.context();
    }

    static EncoderOptions squeezenet(long seed) {
        return new EncoderOptions("squeezenet", null, true, seed, SIZE);
    }

    SparkFeatures.Request request(TestData data, boolean vqa, EncoderOptions enc, Path out, int partitions) {
        return new SparkFeatures.Request((vqa ? data.questions : data.captions).toString(), vqa, data.images.toString(),
                enc, BATCH, out, null, partitions);
    }

    /** What {@code glimpse features} writes for the same list and encoder. */
    static Path singleMachine(TestData data, boolean vqa, EncoderOptions enc, Path out, int firstImages) {
        List<ImageRef> refs = vqa ? ImageLists.fromVqaQuestions(data.questions, data.images)
                : ImageLists.fromCocoCaptions(data.captions, data.images);
        if (firstImages >= 0) {
            refs = refs.subList(0, firstImages);
        }
        try (ImageEncoder encoder = Encoders.open(new EncoderRequest(enc.name(), null, enc.randomInit(), enc.seed(), enc.inputSize()))) {
            FeatureExtractor.extract(refs, encoder, out, new FeatureExtractor.Options(BATCH, new ImageLoader(), null));
        }
        return out;
    }

    static Map<String, byte[]> files(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> all = Files.list(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                files.put(p.getFileName().toString(), Files.isDirectory(p) ? new byte[0] : Files.readAllBytes(p));
            }
        }
        return files;
    }

    static void assertSameBytes(Path expected, Path actual) throws IOException {
        Map<String, byte[]> want = files(expected);
        Map<String, byte[]> got = files(actual);
        assertEquals(want.keySet(), got.keySet(), "files in the cache folder");
        for (String name : want.keySet()) {
            assertArrayEquals(want.get(name), got.get(name), name + " differs");
        }
    }

    SparkFeatures features(ImageSource source) {
        return new SparkFeatures(sc, source, new PrintWriter(new StringWriter()));
    }

    @Test
    void mergedCacheIsByteForByteTheSingleMachineCache() throws IOException {
        TestData data = TestData.write(tmp, 13, 1);
        EncoderOptions enc = squeezenet(3);
        Path out = tmp.resolve("spark-cache");
        SparkFeatures.Report report = features(ImageSource.hadoop()).run(request(data, false, enc, out, 3));
        assertEquals(14, report.listed()); // 13 images and the missing one
        assertEquals(0, report.alreadyCached());
        assertEquals(13, report.encoded());
        assertEquals(1, report.skipped().size());
        assertEquals(TestData.MISSING_ID, report.skipped().get(0).id());
        assertTrue(report.skipped().get(0).reason().contains("gone.png"), report.skipped().get(0).reason());
        assertEquals(3, report.partitions());
        assertEquals(3, report.merge().partsRead());

        assertSameBytes(singleMachine(data, false, enc, tmp.resolve("cli-cache"), -1), out);
        try (FeatureCache cache = FeatureCache.open(out)) {
            assertEquals(13, cache.size());
            assertEquals(data.ids, java.util.Arrays.stream(cache.ids()).boxed().toList(), "records in list order");
        }
        assertFalse(Files.exists(out.resolve(SparkFeatures.DEFAULT_PARTS)), "parts are deleted after the merge");

        // A rerun finds everything done but the missing image, which it tries again (as glimpse features does).
        SparkFeatures.Report again = features(ImageSource.hadoop()).run(request(data, false, enc, out, 3));
        assertEquals(13, again.alreadyCached());
        assertEquals(0, again.encoded());
        assertEquals(1, again.partitions());
        assertEquals(1, again.skipped().size());
        assertSameBytes(tmp.resolve("cli-cache"), out);
    }

    /**
     * Throws when it first reads one image, so the task reading it fails after committing its
     * earlier batches and Spark retries it. (Images are decoded on the extractor's own thread,
     * where {@code TaskContext.get()} is null; local mode runs tasks in this JVM, so a static flag
     * tells the first attempt from the retry.)
     */
    record FailOnce(long failAtId) implements ImageSource {
        static final AtomicBoolean FAILED = new AtomicBoolean();

        @Override
        public java.awt.image.BufferedImage read(ImageEntry entry, ImageLoader loader, org.apache.hadoop.conf.Configuration conf) {
            if (entry.id() == failAtId && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure of the first attempt");
            }
            return ImageSource.hadoop().read(entry, loader, conf);
        }
    }

    @Test
    void aTaskRetriedMidPartitionLeavesAnUnusedHalfPartAndAnIntactCache() throws IOException {
        TestData data = TestData.write(tmp, 16, 2);
        EncoderOptions enc = squeezenet(4);
        Path out = tmp.resolve("spark-cache");
        // 16 images (+1 missing) in 2 partitions of 3 batches: partition 1 starts at list index 12
        // (batch-aligned); its second batch starts at 16.
        List<ImageEntry> list = ImageListing.read(data.captions.toString(), false, data.images.toString(), sc.hadoopConfiguration());
        long failAt = list.get(12 + BATCH).id();
        FailOnce.FAILED.set(false);
        SparkFeatures spark = features(new FailOnce(failAt));
        SparkFeatures.Request r = request(data, false, enc, out, 2);
        PartStore store = new PartStore(SparkFeatures.partsFolder(r, sc.hadoopConfiguration()), sc.hadoopConfiguration());

        SparkFeatures.Job job = spark.extract(r, list, store);
        assertEquals(16, job.encoded());
        PartStore.Scan scan = store.scan();
        assertEquals(2, scan.complete().size());
        assertEquals(1, scan.complete().get(1).marker().attempt(), "partition 1 completed on its second attempt");
        assertEquals(1, scan.incomplete().size());
        Path half = HadoopFiles.local(scan.incomplete().get(0));
        assertTrue(half.getFileName().toString().endsWith("-p00001-a0"), half.toString());
        try (FeatureCache halfCache = FeatureCache.open(half)) {
            assertEquals(BATCH, halfCache.size(), "the failed attempt had committed its first batch");
        }

        SparkFeatures.Report report = spark.run(r); // nothing left to encode: merges the complete parts only
        assertEquals(0, report.encoded());
        assertSameBytes(singleMachine(data, false, enc, tmp.resolve("cli-cache"), -1), out);
        assertFalse(Files.exists(half), "the failed attempt's folder is deleted after the merge");
    }

    @Test
    void aRerunAfterAKilledDriverEncodesOnlyWhatIsMissing() throws IOException {
        TestData data = TestData.write(tmp, 12, 3);
        EncoderOptions enc = squeezenet(5);
        Path out = tmp.resolve("spark-cache");
        List<ImageEntry> list = ImageListing.read(data.captions.toString(), false, data.images.toString(), sc.hadoopConfiguration());
        assertEquals(TestData.MISSING_ID, list.get(7).id()); // images 0-6, the missing one, images 7-11
        // State after a driver died mid-merge: the cache holds a committed prefix (images 0-6, the
        // first two batches) and a complete part holds images 7-10 (the first run's last slice).
        singleMachine(data, false, enc, out, 2 * BATCH);
        SparkFeatures.Request r = request(data, false, enc, out, 2);
        PartStore store = new PartStore(SparkFeatures.partsFolder(r, sc.hadoopConfiguration()), sc.hadoopConfiguration());
        CountingSource.COUNT.set(0);
        SparkFeatures.Job first = features(new CountingSource()).extract(r, list.subList(0, 3 * BATCH), store);
        assertEquals(7, first.alreadyCached());
        assertEquals(4, first.encoded());
        assertEquals(5, CountingSource.COUNT.get(), "images 7-10 and the missing one");

        CountingSource.COUNT.set(0);
        SparkFeatures.Report report = features(new CountingSource()).run(r);
        assertEquals(11, report.alreadyCached());
        assertEquals(1, report.encoded());
        assertEquals(2, CountingSource.COUNT.get(), "image 11 and the missing one: nothing twice");
        assertSameBytes(singleMachine(data, false, enc, tmp.resolve("cli-cache"), -1), out);
    }

    @Test
    void aCacheOfOtherWeightsIsRefusedAndLeftUnchanged() throws IOException {
        TestData data = TestData.write(tmp, 5, 5);
        Path out = singleMachine(data, false, squeezenet(1), tmp.resolve("cache"), 3);
        Map<String, byte[]> before = files(out);
        Exception e = assertThrows(Exception.class,
                () -> features(ImageSource.hadoop()).run(request(data, false, squeezenet(2), out, 1)));
        Throwable t = e;
        while (!(t instanceof GlimpseException) && t.getCause() != null) {
            t = t.getCause();
        }
        assertTrue(t instanceof GlimpseException, e.toString());
        assertTrue(t.getMessage().startsWith(out + ": holds features of squeezenet (UNTRAINED random-init seed=1,"), t.getMessage());
        assertTrue(t.getMessage().contains("but squeezenet (UNTRAINED random-init seed=2,"), t.getMessage());
        Map<String, byte[]> after = files(out); // the check comes before anything is written: no parts folder either
        assertEquals(before.keySet(), after.keySet());
        for (String name : before.keySet()) {
            assertArrayEquals(before.get(name), after.get(name), name);
        }
    }

    /** Counts reads (local mode: tasks run in this JVM, so a static counter sees them). */
    record CountingSource() implements ImageSource {
        static final AtomicInteger COUNT = new AtomicInteger();

        @Override
        public java.awt.image.BufferedImage read(ImageEntry entry, ImageLoader loader, org.apache.hadoop.conf.Configuration conf) {
            COUNT.incrementAndGet();
            return ImageSource.hadoop().read(entry, loader, conf);
        }
    }

    @Test
    void vqaListOnTheDirectOneDnnEncoderWithPartsOnAnotherFileSystem() throws IOException {
        TestData data = TestData.write(tmp, 9, 4);
        EncoderOptions enc = new EncoderOptions("resnet50", null, true, 6, SIZE);
        Path out = tmp.resolve("spark-cache");
        Path parts = tmp.resolve("elsewhere/parts");
        NonLocalFileSystem.register(sc.hadoopConfiguration());
        String onOtherFs = NonLocalFileSystem.SCHEME + "://" + parts.toAbsolutePath();
        SparkFeatures.Request r = new SparkFeatures.Request(data.questions.toUri().toString(), true,
                NonLocalFileSystem.SCHEME + "://" + data.images.toAbsolutePath(), enc, BATCH, out, onOtherFs, 2);
        SparkFeatures.Report report = features(ImageSource.hadoop()).run(r);
        assertEquals(NonLocalFileSystem.SCHEME + ":" + parts.toAbsolutePath(), report.partsFolder());
        assertEquals(9, report.encoded());
        assertEquals(2, report.merge().partsRead());
        assertSameBytes(singleMachine(data, true, enc, tmp.resolve("cli-cache"), -1), out);
        assertFalse(Files.exists(parts), "parts deleted after the merge");
    }
}

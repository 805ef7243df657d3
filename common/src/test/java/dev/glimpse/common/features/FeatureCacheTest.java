package dev.glimpse.common.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.ImageLoader;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class FeatureCacheTest {
    static final int N = 20;

    @TempDir
    Path tmp;
    Path cacheDir;
    List<ImageRef> refs = new ArrayList<>();

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @BeforeEach
    void images() throws IOException {
        cacheDir = tmp.resolve("cache");
        for (int i = 0; i < N; i++) {
            BufferedImage img = new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(red(i), 40, 200));
            g.fillRect(0, 0, 12, 10);
            g.dispose();
            Path file = tmp.resolve("img" + i + ".png");
            ImageIO.write(img, "png", file.toFile());
            refs.add(new ImageRef(id(i), file));
        }
    }

    static int red(int i) {
        return 10 + 7 * i;
    }

    static long id(int i) {
        return 5_000_000_000L + i; // beyond int range on purpose
    }

    static FeatureExtractor.Options options(int batch) {
        return new FeatureExtractor.Options(batch, new ImageLoader(), null);
    }

    static float[] asHalves(float[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Half.toFloat(Half.fromFloat(values[i]));
        }
        return out;
    }

    void assertRecord(FeatureCache cache, int i) {
        long[] ids = {id(i)};
        INDArray pooled = cache.pooled(ids); // [1, F]
        INDArray grid = cache.grid(ids); // [1, R, C]
        assertArrayEquals(new long[] {1, FakeEncoder.F}, pooled.shape());
        assertArrayEquals(new long[] {1, FakeEncoder.R, FakeEncoder.C}, grid.shape());
        assertArrayEquals(asHalves(FakeEncoder.pooled(red(i))), pooled.data().asFloat(), 0f);
        assertArrayEquals(asHalves(FakeEncoder.grid(red(i))), grid.data().asFloat(), 0f);
    }

    @Test
    void rereadGivesTheStoredHalvesInRequestOrder() {
        FakeEncoder enc = new FakeEncoder("fake");
        FeatureExtractor.Report report = FeatureExtractor.extract(refs, enc, cacheDir, options(8));
        assertEquals(N, report.encoded());
        assertEquals(3, enc.calls);
        assertEquals(8 + 2 * (FakeEncoder.F + FakeEncoder.R * FakeEncoder.C), report.bytesPerImage());
        long[] reversed = new long[N];
        for (int i = 0; i < N; i++) {
            reversed[i] = id(N - 1 - i);
        }
        try (FeatureCache a = FeatureCache.open(cacheDir); FeatureCache b = FeatureCache.open(cacheDir, enc.info())) {
            assertEquals(N, a.size());
            for (int i = 0; i < N; i++) {
                assertRecord(a, i);
            }
            assertEquals(a.grid(reversed), b.grid(reversed));
            assertEquals(a.pooled(reversed), b.pooled(reversed));
            assertArrayEquals(asHalves(FakeEncoder.pooled(red(N - 1))), a.pooled(reversed).getRow(0).toFloatVector(), 0f);
            assertTrue(a.info().sameFeatures(enc.info()));
            assertThrows(GlimpseException.class, () -> a.pooled(new long[] {42}));
        }
    }

    @Test
    void interruptedExtractionResumesWithoutRecomputingCommittedImages() throws IOException {
        FakeEncoder first = new FakeEncoder("fake");
        FeatureExtractor.extract(refs.subList(0, 12), first, cacheDir, options(5));
        assertEquals(12, first.images);
        // A crash mid-batch: part of a record written past the committed ones, a torn commit entry.
        Files.write(cacheDir.resolve("shard-00000.f16"), new byte[57], StandardOpenOption.APPEND);
        Files.write(cacheDir.resolve(CommitLog.FILE), new byte[] {1, 2, 3, 4, 5, 6, 7}, StandardOpenOption.APPEND);
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            assertEquals(12, cache.size());
            assertFalse(cache.contains(id(12)));
            assertRecord(cache, 11);
        }
        FakeEncoder second = new FakeEncoder("fake");
        FeatureExtractor.Report report = FeatureExtractor.extract(refs, second, cacheDir, options(5));
        assertEquals(12, report.alreadyCached());
        assertEquals(8, report.encoded());
        assertEquals(8, second.images);
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            assertEquals(N, cache.size());
            for (int i = 0; i < N; i++) {
                assertRecord(cache, i);
            }
        }
        assertEquals((long) N * CommitLog.ENTRY, Files.size(cacheDir.resolve(CommitLog.FILE)));
    }

    @Test
    void aWholeButDamagedCommitEntryEndsTheValidLog() throws IOException {
        FeatureExtractor.extract(refs.subList(0, 4), new FakeEncoder("fake"), cacheDir, options(4));
        byte[] garbage = new byte[CommitLog.ENTRY];
        garbage[3] = 9;
        Files.write(cacheDir.resolve(CommitLog.FILE), garbage, StandardOpenOption.APPEND);
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            assertEquals(4, cache.size());
        }
    }

    @Test
    void imagesThatFailToLoadAreReportedAndSkipped() throws IOException {
        Files.write(refs.get(3).file(), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1});
        FakeEncoder enc = new FakeEncoder("fake");
        FeatureExtractor.Report report = FeatureExtractor.extract(refs, enc, cacheDir, options(6));
        assertEquals(N - 1, report.encoded());
        assertEquals(1, report.skipped().size());
        FeatureExtractor.Failure f = report.skipped().get(0);
        assertEquals(id(3), f.id());
        assertEquals(refs.get(3).file(), f.file());
        assertFalse(f.reason().isBlank());
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            assertFalse(cache.contains(id(3)));
            assertRecord(cache, 4);
        }
    }

    @Test
    void aCacheOfAnotherEncoderIsRefused() {
        FeatureExtractor.extract(refs.subList(0, 2), new FakeEncoder("fake"), cacheDir, options(2));
        FakeEncoder other = new FakeEncoder("other");
        GlimpseException e = assertThrows(GlimpseException.class,
                () -> FeatureExtractor.extract(refs, other, cacheDir, options(2)));
        assertTrue(e.getMessage().contains("manifest.json"), e.getMessage());
        assertEquals(0, other.calls);
        assertThrows(GlimpseException.class, () -> FeatureCache.open(cacheDir, other.info()));
    }

    @Test
    void aDamagedRecordIsReportedNotDecoded() throws IOException {
        FeatureExtractor.extract(refs.subList(0, 3), new FakeEncoder("fake"), cacheDir, options(3));
        Path shard = cacheDir.resolve("shard-00000.f16");
        byte[] bytes = Files.readAllBytes(shard);
        int recordBytes = bytes.length / 3;
        bytes[recordBytes + 12] ^= 0x10; // inside record 1's pooled halves
        Files.write(shard, bytes);
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            assertRecord(cache, 0);
            GlimpseException e = assertThrows(GlimpseException.class, () -> cache.pooled(new long[] {id(1)}));
            assertTrue(e.getMessage().contains("damaged"), e.getMessage());
        }
    }

    @Test
    void valuesBeyondFloat16AreRefusedAndNothingIsCommitted() {
        FakeEncoder enc = new FakeEncoder("fake");
        float[] pooled = {1f, 2f, 70000f, 3f};
        try (FeatureCacheWriter w = FeatureCacheWriter.openOrCreate(cacheDir, enc.info())) {
            var batch = new dev.glimpse.common.encoder.EncodedBatch(
                    org.nd4j.linalg.factory.Nd4j.create(pooled, new long[] {1, 4}, 'c'),
                    org.nd4j.linalg.factory.Nd4j.zeros(1, FakeEncoder.R, FakeEncoder.C));
            assertThrows(IllegalStateException.class, () -> w.append(new long[] {1}, batch));
            assertFalse(w.contains(1));
        }
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            assertEquals(0, cache.size());
        }
    }

    @Test
    void notACacheIsAClearError() {
        GlimpseException e = assertThrows(GlimpseException.class, () -> FeatureCache.open(tmp));
        assertTrue(e.getMessage().contains("manifest.json"));
    }
}

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

    static FeatureExtractor.Options repairing(int batch) {
        return new FeatureExtractor.Options(batch, new ImageLoader(), null, true);
    }

    @Test
    void interruptedExtractionResumesWithoutRecomputingCommittedImages() throws IOException {
        FakeEncoder first = new FakeEncoder("fake");
        FeatureExtractor.extract(refs.subList(0, 12), first, cacheDir, options(5));
        assertEquals(12, first.images);
        // A kill -9 mid-batch: part of a record written past the committed ones, no commit entry yet.
        Files.write(cacheDir.resolve("shard-00000.f16"), new byte[57], StandardOpenOption.APPEND);
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
        assertTrue(report.repaired().isEmpty());
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            assertEquals(N, cache.size());
            for (int i = 0; i < N; i++) {
                assertRecord(cache, i);
            }
        }
        assertEquals((long) N * CommitLog.ENTRY, Files.size(cacheDir.resolve(CommitLog.FILE)));
    }

    @Test
    void aLogCutMidEntryIsAnErrorUntilRepaired() throws IOException {
        FeatureExtractor.extract(refs.subList(0, 12), new FakeEncoder("fake"), cacheDir, options(5));
        Path log = cacheDir.resolve(CommitLog.FILE);
        byte[] bytes = Files.readAllBytes(log);
        Files.write(log, java.util.Arrays.copyOf(bytes, 9 * CommitLog.ENTRY + 7)); // entry 9 cut after 7 bytes
        String expected = log + ": ends mid-entry: entry 9 at byte offset 144 has 7 of 16 bytes (the log was cut"
                + " or a write was interrupted); ";
        GlimpseException read = assertThrows(GlimpseException.class, () -> FeatureCache.open(cacheDir));
        assertEquals(expected + FeatureCache.REPAIR_ADVICE, read.getMessage());
        FakeEncoder enc = new FakeEncoder("fake");
        GlimpseException write = assertThrows(GlimpseException.class,
                () -> FeatureExtractor.extract(refs, enc, cacheDir, options(5)));
        assertEquals(expected + FeatureCache.REPAIR_ADVICE, write.getMessage());
        assertEquals(0, enc.images);

        FeatureExtractor.Report report = FeatureExtractor.extract(refs, enc, cacheDir, repairing(5));
        assertEquals(9, report.alreadyCached());
        assertEquals(N - 9, enc.images);
        assertEquals(1, report.repaired().size());
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            assertEquals(N, cache.size());
            for (int i = 0; i < N; i++) {
                assertRecord(cache, i);
            }
        }
    }

    @Test
    void aFlippedByteInACommitEntryIsAnErrorNamingItUntilRepaired() throws IOException {
        FeatureExtractor.extract(refs.subList(0, 8), new FakeEncoder("fake"), cacheDir, options(8));
        Path log = cacheDir.resolve(CommitLog.FILE);
        byte[] bytes = Files.readAllBytes(log);
        bytes[3 * CommitLog.ENTRY + 9] ^= 0x04; // entry 3's record CRC
        Files.write(log, bytes);
        GlimpseException read = assertThrows(GlimpseException.class, () -> FeatureCache.open(cacheDir));
        assertEquals(log + ": entry 3 (byte offset 48) is damaged (checksum mismatch; it names image " + id(3)
                + ", record slot 3 in shard-00000.f16, its record holds image " + id(3) + "); " + FeatureCache.REPAIR_ADVICE,
                read.getMessage());

        FakeEncoder enc = new FakeEncoder("fake");
        assertThrows(GlimpseException.class, () -> FeatureExtractor.extract(refs, enc, cacheDir, options(8)));
        FeatureExtractor.Report report = FeatureExtractor.extract(refs, enc, cacheDir, repairing(8));
        assertEquals(List.of(new FeatureCacheWriter.Repair(3, id(3), "damaged commit entry")), report.repaired());
        assertEquals(7, report.alreadyCached());
        assertEquals(N - 7, enc.images, "image 3 is extracted again, with the 12 never extracted");
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            assertEquals(N, cache.size());
            for (int i = 0; i < N; i++) {
                assertRecord(cache, i);
            }
        }
        // A second repair finds nothing: the tombstone is not damage.
        assertTrue(FeatureExtractor.extract(refs, enc, cacheDir, repairing(8)).repaired().isEmpty());
    }

    @Test
    void aCommitLogLongerThanTheLimitIsRefusedBeforeItIsRead() throws IOException {
        FeatureExtractor.extract(refs.subList(0, 2), new FakeEncoder("fake"), cacheDir, options(2));
        try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(cacheDir.resolve(CommitLog.FILE).toFile(), "rw")) {
            raf.setLength((CommitLog.MAX_ENTRIES + 1) * CommitLog.ENTRY); // sparse
        }
        var m = dev.glimpse.common.testing.Allocations.measure(() -> FeatureCache.open(cacheDir));
        assertEquals(cacheDir.resolve(CommitLog.FILE) + ": " + (CommitLog.MAX_ENTRIES + 1)
                + " entries, more than the limit of " + CommitLog.MAX_ENTRIES + " images per cache", m.thrown().getMessage());
        assertTrue(m.heapBytes() < (4 << 20), "heap allocated: " + m.heapBytes());
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
    void aDamagedRecordIsReportedNotDecodedAndRepairReextractsIt() throws IOException {
        FeatureExtractor.extract(refs.subList(0, 3), new FakeEncoder("fake"), cacheDir, options(3));
        Path shard = cacheDir.resolve("shard-00000.f16");
        byte[] bytes = Files.readAllBytes(shard);
        int recordBytes = bytes.length / 3;
        bytes[recordBytes + 12] ^= 0x10; // inside record 1's pooled halves
        Files.write(shard, bytes);
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            assertRecord(cache, 0);
            GlimpseException e = assertThrows(GlimpseException.class, () -> cache.pooled(new long[] {id(1)}));
            assertEquals(shard + ": record at byte offset " + recordBytes + " (slot 1, image " + id(1)
                    + ") is damaged (checksum mismatch); " + FeatureCache.REPAIR_ADVICE, e.getMessage());
        }
        FakeEncoder enc = new FakeEncoder("fake");
        FeatureExtractor.Report report = FeatureExtractor.extract(refs.subList(0, 3), enc, cacheDir, repairing(3));
        assertEquals(List.of(new FeatureCacheWriter.Repair(1, id(1), "record fails its checksum")), report.repaired());
        assertEquals(1, enc.images);
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            for (int i = 0; i < 3; i++) {
                assertRecord(cache, i);
            }
        }
    }

    /** Rewrites record {@code slot}'s first pooled value as NaN with valid record and entry checksums. */
    void poisonWithValidChecksums(int slot) throws IOException {
        Path shard = cacheDir.resolve("shard-00000.f16");
        byte[] bytes = Files.readAllBytes(shard);
        int len = CacheManifest.read(cacheDir).recordBytes();
        java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putShort(slot * len + 8 + 2, (short) 0x7E00);
        Files.write(shard, bytes);
        Path log = cacheDir.resolve(CommitLog.FILE);
        byte[] entries = Files.readAllBytes(log);
        java.nio.ByteBuffer e = java.nio.ByteBuffer.allocate(CommitLog.ENTRY).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        CommitLog.encode(e, id(slot), CommitLog.crc(bytes, slot * len, len));
        System.arraycopy(e.array(), 0, entries, slot * CommitLog.ENTRY, CommitLog.ENTRY);
        Files.write(log, entries);
    }

    @Test
    void aNonFiniteRecordWithValidChecksumsIsDetectedAtReadTime() throws IOException {
        FeatureExtractor.extract(refs.subList(0, 4), new FakeEncoder("fake"), cacheDir, options(4));
        poisonWithValidChecksums(2);
        int len = CacheManifest.read(cacheDir).recordBytes();
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            assertRecord(cache, 1);
            GlimpseException e = assertThrows(GlimpseException.class, () -> cache.grid(new long[] {id(2)}));
            assertEquals(cacheDir.resolve("shard-00000.f16") + ": record at byte offset " + 2 * len + " (slot 2, image "
                    + id(2) + ") holds a non-finite value at pooled[1] (NaN); " + FeatureCache.REPAIR_ADVICE, e.getMessage());
        }
        FakeEncoder enc = new FakeEncoder("fake");
        FeatureExtractor.Report report = FeatureExtractor.extract(refs.subList(0, 4), enc, cacheDir, repairing(4));
        assertEquals(List.of(new FeatureCacheWriter.Repair(2, id(2), "record holds a non-finite value")), report.repaired());
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            assertRecord(cache, 2);
        }
    }

    @Test
    void missingImagesAreCountedAndRefusedUnlessAllowed() {
        FeatureExtractor.extract(refs.subList(0, 16), new FakeEncoder("fake"), cacheDir, options(8));
        long[] needed = new long[N + 3];
        for (int i = 0; i < N; i++) {
            needed[i] = id(i);
        }
        needed[N] = id(0); // repeated ids (one per caption) count once
        needed[N + 1] = id(19);
        needed[N + 2] = id(1);
        try (FeatureCache cache = FeatureCache.open(cacheDir)) {
            GlimpseException e = assertThrows(GlimpseException.class,
                    () -> FeatureCoverage.check(cache, needed, 0.0, "features/"));
            assertEquals("features/: 4 of the 20 images this run needs (20.0%) have no features (image " + id(16) + ", "
                    + id(17) + ", " + id(18) + ", " + id(19) + "); extract them with glimpse features, or pass"
                    + " --allow-missing 0.200 (or more) to train without them", e.getMessage());
            assertThrows(GlimpseException.class, () -> FeatureCoverage.check(cache, needed, 0.19, "features/"));
            FeatureCoverage c = FeatureCoverage.check(cache, needed, 0.2, "features/");
            assertEquals(16, c.usable().length);
            assertEquals(id(0), c.usable()[0]);
            assertEquals(4, c.missing().length);
            assertEquals(20, c.needed());
            assertEquals(0, FeatureCoverage.check(cache, java.util.Arrays.copyOf(needed, 16), 0, "f").missing().length);
            assertThrows(GlimpseException.class, () -> FeatureCoverage.check(cache, needed, 1.5, "f"));
        }
    }

    @Test
    void valuesBeyondFloat16AreRefusedAndNothingIsCommitted() {
        FakeEncoder enc = new FakeEncoder("fake");
        float[] pooled = {1f, 2f, 3f, 4f, 1f, 2f, 70000f, 3f};
        try (FeatureCacheWriter w = FeatureCacheWriter.openOrCreate(cacheDir, enc.info())) {
            var batch = new dev.glimpse.common.encoder.EncodedBatch(
                    org.nd4j.linalg.factory.Nd4j.create(pooled, new long[] {2, 4}, 'c'),
                    org.nd4j.linalg.factory.Nd4j.zeros(2, FakeEncoder.R, FakeEncoder.C));
            GlimpseException e = assertThrows(GlimpseException.class, () -> w.append(new long[] {1, 2}, batch));
            assertEquals("image 2: feature value pooled[2] = 70000.0 is not finite in float16 (max 65504.0); the encoder's"
                    + " output is out of range, nothing of this batch was written", e.getMessage());
            assertFalse(w.contains(1));
            assertFalse(w.contains(2));
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

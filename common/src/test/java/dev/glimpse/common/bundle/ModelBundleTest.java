package dev.glimpse.common.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.testing.Allocations;
import dev.glimpse.common.testing.ZipBytes;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {
    record Config(int hidden, String encoder, List<String> words) {}

    @TempDir
    Path dir;

    @Test
    void roundTripsJsonAndFloats() throws IOException {
        Path f = dir.resolve("m.zip");
        float[] params = new float[100_003];
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) Math.sin(i) * 1e-3f;
        }
        ModelBundle.writer("captioner").json("config", new Config(512, "resnet50", List.of("a", "b")))
                .floats("params", params).write(f);
        ModelBundle b = ModelBundle.read(f);
        assertEquals("captioner", b.kind());
        assertEquals(new Config(512, "resnet50", List.of("a", "b")), b.json("config", Config.class));
        assertArrayEquals(params, b.floats("params"));
        assertTrue(b.hasFloats("params"));
        GlimpseException e = assertThrows(GlimpseException.class, () -> b.requireKind("vqa"));
        assertTrue(e.getMessage().contains("captioner"), e.getMessage());
        assertThrows(GlimpseException.class, () -> b.floats("missing"));
    }

    @Test
    void rejectsNonModelFilesWithPlainMessages() throws IOException {
        Path text = dir.resolve("notes.zip");
        Files.writeString(text, "hello");
        assertTrue(assertThrows(GlimpseException.class, () -> ModelBundle.read(text)).getMessage().contains("notes.zip"));
        assertThrows(GlimpseException.class, () -> ModelBundle.read(dir.resolve("absent.zip")));

        Path slip = dir.resolve("slip.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(slip))) {
            z.putNextEntry(new ZipEntry("../evil.json"));
            z.write("{}".getBytes());
            z.closeEntry();
        }
        assertThrows(GlimpseException.class, () -> ModelBundle.read(slip));

        Path future = dir.resolve("future.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(future))) {
            z.putNextEntry(new ZipEntry("manifest.json"));
            z.write("{\"formatVersion\": 99, \"kind\": \"vqa\"}".getBytes());
            z.closeEntry();
        }
        assertTrue(assertThrows(GlimpseException.class, () -> ModelBundle.read(future)).getMessage().contains("99"));
    }

    @Test
    void failedWriteKeepsThePreviousFile() throws IOException {
        Path f = dir.resolve("m.zip");
        ModelBundle.writer("vqa").floats("params", new float[] {1, 2}).write(f);
        assertThrows(IOException.class, () -> dev.glimpse.common.io.AtomicFiles.write(f, out -> {
            out.write(new byte[1000]);
            throw new IOException("disk full");
        }));
        assertArrayEquals(new float[] {1, 2}, ModelBundle.read(f).floats("params"));
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count(), "no temp file left behind");
        }
    }

    // ---- hostile files: every size is checked before it is allocated or inflated ----

    static Map<String, byte[]> entries(Object... nameThenBytes) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        for (int i = 0; i < nameThenBytes.length; i += 2) {
            m.put((String) nameThenBytes[i], (byte[]) nameThenBytes[i + 1]);
        }
        return m;
    }

    static final byte[] MANIFEST_BYTES = "{\"formatVersion\": 1, \"kind\": \"vqa\"}".getBytes(StandardCharsets.UTF_8);

    Path write(String name, byte[] zip) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, zip);
        return f;
    }

    /** Reads {@code f}, expecting exactly {@code message}, and returns the bytes the refusal allocated on the heap. */
    static long refusedWith(Path f, String message) {
        Allocations.Measured m = Allocations.measure(() -> ModelBundle.read(f));
        assertInstanceOf(GlimpseException.class, m.thrown(), () -> "not refused: " + m.thrown());
        assertEquals(message, m.thrown().getMessage());
        return m.heapBytes();
    }

    @Test
    void anEntryDeclaringMoreThanItsLimitIsRefusedBeforeItsBodyIsRead() throws IOException {
        // The body is not even valid deflate data: the refusal must come from the directory alone.
        byte[] zip = ZipBytes.of(entries("manifest.json", MANIFEST_BYTES, "params.f32", new byte[4096]), false);
        Path f = write("big.zip", ZipBytes.declareSize(zip, "params.f32", 1L << 31));
        long heap = refusedWith(f, f + ": entry params.f32 declares 2147483648 bytes, more than the limit of "
                + ModelLimits.MAX_FLOAT_ENTRY_BYTES + " bytes");
        assertTrue(heap < (4 << 20), "heap bytes allocated: " + heap);

        Path json = write("json.zip", ZipBytes.declareSize(ZipBytes.of(entries("manifest.json", MANIFEST_BYTES,
                "net.json", "{}".getBytes()), false), "net.json", ModelLimits.MAX_JSON_BYTES + 1));
        refusedWith(json, json + ": entry net.json declares " + (ModelLimits.MAX_JSON_BYTES + 1)
                + " bytes, more than the limit of " + ModelLimits.MAX_JSON_BYTES + " bytes");
    }

    @Test
    void aDeflateBombIsCutAtItsDeclaredSize() throws IOException {
        byte[] zeros = new byte[64 << 20]; // deflates to ~64 KB
        byte[] zip = ZipBytes.of(entries("manifest.json", MANIFEST_BYTES, "params.f32", zeros), false);
        assertTrue(zip.length < (1 << 20));
        Path f = write("bomb.zip", ZipBytes.declareSize(zip, "params.f32", 1024));
        zeros = null;
        long heap = refusedWith(f, f + ": entry params.f32 inflates past its declared 1024 bytes");
        assertTrue(heap < (4 << 20), "heap bytes allocated: " + heap);
    }

    @Test
    void entryCountAndTotalSizeAreCheckedFromTheDirectory() throws IOException {
        Map<String, byte[]> many = entries("manifest.json", MANIFEST_BYTES);
        for (int i = 0; i < ModelLimits.MAX_ENTRIES + 43; i++) {
            many.put("p" + i + ".f32", new byte[4]);
        }
        Path f = write("many.zip", ZipBytes.of(many, true));
        refusedWith(f, f + ": Glimpse model file declares 300 entries, more than the limit of " + ModelLimits.MAX_ENTRIES);

        byte[] zip = ZipBytes.of(entries("manifest.json", MANIFEST_BYTES, "a.f32", new byte[4], "b.f32", new byte[4],
                "c.f32", new byte[4], "d.f32", new byte[4]), false);
        for (String n : new String[] {"a.f32", "b.f32", "c.f32", "d.f32"}) {
            ZipBytes.declareSize(zip, n, ModelLimits.MAX_FLOAT_ENTRY_BYTES);
        }
        Path total = write("total.zip", zip);
        long heap = refusedWith(total, total + ": entries of Glimpse model file declare more than "
                + ModelLimits.MAX_TOTAL_BYTES + " bytes in total (the limit)");
        assertTrue(heap < (4 << 20), "heap bytes allocated: " + heap);
    }

    @Test
    void aFileLargerThanTheLimitIsRefusedByItsSizeAlone() throws IOException {
        Path f = dir.resolve("sparse.zip");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(ModelLimits.MAX_FILE_BYTES + 1); // sparse: no disk used
        }
        refusedWith(f, f + ": Glimpse model file is " + (ModelLimits.MAX_FILE_BYTES + 1)
                + " bytes, more than the limit of " + ModelLimits.MAX_FILE_BYTES + " bytes");
    }

    @Test
    void damagedOddOrRepeatedEntriesAreRefused() throws IOException {
        byte[] zip = ZipBytes.of(entries("manifest.json", MANIFEST_BYTES, "params.f32", new byte[16]), true);
        int at = indexOf(zip, new byte[16]);
        zip[at + 5] = 7; // one byte of the stored data
        Path crc = write("crc.zip", zip);
        refusedWith(crc, crc + ": entry params.f32 fails its CRC check (damaged file)");

        Path odd = write("odd.zip", ZipBytes.of(entries("manifest.json", MANIFEST_BYTES, "params.f32", new byte[6]), true));
        refusedWith(odd, odd + ": entry params.f32 is not a float array (6 bytes is not a multiple of 4)");

        Path twice = write("twice.zip", ZipBytes.rename(ZipBytes.of(entries("manifest.json", MANIFEST_BYTES,
                "a.json", "{}".getBytes(), "b.json", "{}".getBytes()), true), "b.json", "a.json"));
        refusedWith(twice, twice + ": entry a.json appears twice in Glimpse model file");

        Path other = write("other.zip", ZipBytes.of(entries("manifest.json", MANIFEST_BYTES, "run.sh", new byte[1]), true));
        refusedWith(other, other + ": unexpected entry \"run.sh\" in Glimpse model file");

        Path nul = write("null.zip", ZipBytes.of(entries("manifest.json", MANIFEST_BYTES, "net.json",
                "null".getBytes()), true));
        GlimpseException e = assertThrows(GlimpseException.class, () -> ModelBundle.read(nul).json("net", Config.class));
        assertEquals(nul + ": entry net.json is null, expected a Config", e.getMessage());
    }

    static int indexOf(byte[] hay, byte[] needle) {
        for (int i = 0; i + needle.length <= hay.length; i++) {
            if (java.util.Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }
}

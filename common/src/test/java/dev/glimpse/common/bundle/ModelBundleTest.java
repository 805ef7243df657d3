package dev.glimpse.common.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
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
}

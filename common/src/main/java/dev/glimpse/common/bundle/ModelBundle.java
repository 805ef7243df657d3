package dev.glimpse.common.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.AtomicFiles;
import dev.glimpse.common.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * One model file: a zip of JSON entries (manifest, configuration, vocabularies, training record)
 * and named float arrays (little-endian float32: parameters, optimizer state in checkpoints).
 *
 * <p>Plain JSON and raw floats instead of Java serialization: a model file is input like any other
 * and may come from someone else, so reading it must never run code. Entries are read into memory
 * with size limits, never extracted to disk (no zip-slip).
 */
public final class ModelBundle {
    public static final int FORMAT_VERSION = 1;
    static final String MANIFEST = "manifest.json";
    private static final long MAX_JSON_BYTES = 64L << 20;
    private static final long MAX_FLOATS_BYTES = 2L << 30;

    /** What the manifest says: the format version and the kind of model ("captioner", "vqa"). */
    public record Manifest(int formatVersion, String kind, String createdBy) {}

    private final Path source;
    private final Manifest manifest;
    private final Map<String, byte[]> json;
    private final Map<String, float[]> floats;

    private ModelBundle(Path source, Manifest manifest, Map<String, byte[]> json, Map<String, float[]> floats) {
        this.source = source;
        this.manifest = manifest;
        this.json = json;
        this.floats = floats;
    }

    public static Writer writer(String kind) {
        return new Writer(kind);
    }

    public String kind() {
        return manifest.kind();
    }

    public Manifest manifest() {
        return manifest;
    }

    public boolean hasJson(String name) {
        return json.containsKey(name + ".json");
    }

    public boolean hasFloats(String name) {
        return floats.containsKey(name + ".f32");
    }

    public <T> T json(String name, Class<T> type) {
        byte[] bytes = json.get(name + ".json");
        if (bytes == null) {
            throw new GlimpseException(source + ": model file has no entry " + name + ".json");
        }
        try {
            return Json.MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new GlimpseException(source + ": entry " + name + ".json is not a valid "
                    + type.getSimpleName() + ": " + firstLine(e.getMessage()));
        }
    }

    public JsonNode jsonTree(String name) {
        return json(name, JsonNode.class);
    }

    public float[] floats(String name) {
        float[] f = floats.get(name + ".f32");
        if (f == null) {
            throw new GlimpseException(source + ": model file has no entry " + name + ".f32");
        }
        return f;
    }

    /** Checks the kind so that, say, a VQA model passed to the captioner fails with a plain message. */
    public ModelBundle requireKind(String expected) {
        if (!expected.equals(kind())) {
            throw new GlimpseException(source + ": is a " + kind() + " model, expected a " + expected + " model");
        }
        return this;
    }

    public static ModelBundle read(Path file) {
        Map<String, byte[]> json = new LinkedHashMap<>();
        Map<String, float[]> floats = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                String name = e.getName();
                if (e.isDirectory() || name.contains("/") || name.contains("\\")) {
                    throw new GlimpseException(file + ": unexpected entry \"" + name + "\" in model file");
                }
                if (name.endsWith(".json")) {
                    json.put(name, readBounded(zip, MAX_JSON_BYTES, file, name));
                } else if (name.endsWith(".f32")) {
                    byte[] b = readBounded(zip, MAX_FLOATS_BYTES, file, name);
                    if (b.length % 4 != 0) {
                        throw new GlimpseException(file + ": entry " + name + " is not a float array");
                    }
                    float[] f = new float[b.length / 4];
                    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
                    floats.put(name, f);
                } else {
                    throw new GlimpseException(file + ": unexpected entry \"" + name + "\" in model file");
                }
            }
        } catch (NoSuchFileException e) {
            throw new GlimpseException(file + ": model file not found");
        } catch (ZipException e) {
            throw new GlimpseException(file + ": not a Glimpse model file (" + firstLine(e.getMessage()) + ")");
        } catch (IOException e) {
            throw new GlimpseException(file + ": cannot read model file: " + firstLine(e.getMessage()));
        }
        byte[] m = json.get(MANIFEST);
        if (m == null) {
            throw new GlimpseException(file + ": not a Glimpse model file (no " + MANIFEST + ")");
        }
        Manifest manifest;
        try {
            manifest = Json.MAPPER.readValue(m, Manifest.class);
        } catch (IOException e) {
            throw new GlimpseException(file + ": " + MANIFEST + " is invalid: " + firstLine(e.getMessage()));
        }
        if (manifest.formatVersion() < 1 || manifest.formatVersion() > FORMAT_VERSION) {
            throw new GlimpseException(file + ": model format version " + manifest.formatVersion()
                    + " is not supported (this Glimpse reads up to " + FORMAT_VERSION + ")");
        }
        if (manifest.kind() == null) {
            throw new GlimpseException(file + ": " + MANIFEST + " has no kind");
        }
        return new ModelBundle(file, manifest, Collections.unmodifiableMap(json), Collections.unmodifiableMap(floats));
    }

    private static byte[] readBounded(ZipInputStream zip, long max, Path file, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = zip.read(buf)) > 0) {
            total += n;
            if (total > max) {
                throw new GlimpseException(file + ": entry " + name + " is larger than " + max + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    /** Collects entries, then writes the whole file atomically. */
    public static final class Writer {
        private final String kind;
        private final Map<String, byte[]> json = new LinkedHashMap<>();
        private final Map<String, float[]> floats = new LinkedHashMap<>();

        private Writer(String kind) {
            this.kind = kind;
        }

        public Writer json(String name, Object value) {
            try {
                json.put(name + ".json", Json.MAPPER.writeValueAsBytes(value));
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("cannot serialise " + name, e);
            }
            return this;
        }

        public Writer floats(String name, float[] values) {
            floats.put(name + ".f32", values);
            return this;
        }

        public void write(Path file) throws IOException {
            AtomicFiles.write(file, out -> {
                ZipOutputStream zip = new ZipOutputStream(out);
                put(zip, MANIFEST, Json.MAPPER.writeValueAsBytes(new Manifest(FORMAT_VERSION, kind, "glimpse")));
                for (Map.Entry<String, byte[]> e : json.entrySet()) {
                    put(zip, e.getKey(), e.getValue());
                }
                // Weights barely compress; storing them deflated costs seconds for nothing.
                zip.setLevel(java.util.zip.Deflater.NO_COMPRESSION);
                byte[] buf = new byte[1 << 16];
                for (Map.Entry<String, float[]> e : floats.entrySet()) {
                    zip.putNextEntry(new ZipEntry(e.getKey()));
                    float[] f = e.getValue();
                    ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < f.length; ) {
                        bb.clear();
                        int n = Math.min(f.length - i, buf.length / 4);
                        bb.asFloatBuffer().put(f, i, n);
                        zip.write(buf, 0, n * 4);
                        i += n;
                    }
                    zip.closeEntry();
                }
                zip.finish();
            });
        }

        private static void put(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(bytes);
            zip.closeEntry();
        }
    }
}

package dev.glimpse.common.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.AtomicFiles;
import dev.glimpse.common.io.BoundedZip;
import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * One model file: a zip of JSON entries (manifest, configuration, vocabularies, training record)
 * and named float arrays (little-endian float32: parameters, optimizer state in checkpoints).
 *
 * <p>Plain JSON and raw floats instead of Java serialization: a model file is input like any other
 * and may come from someone else, so reading it must never run code. Entries are read into memory
 * within {@link ModelLimits}, never extracted to disk (no zip-slip).
 */
public final class ModelBundle {
    public static final int FORMAT_VERSION = 1;
    static final String MANIFEST = "manifest.json";
    /** Top-level entries only, plain names: {@code params.f32}, {@code norm.pooled.mean.f32}, {@code net.json}. */
    private static final java.util.regex.Pattern ENTRY_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,200}\\.(json|f32)");

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
        T value;
        try {
            value = Json.MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new GlimpseException(source + ": entry " + name + ".json is not a valid "
                    + type.getSimpleName() + ": " + firstLine(e.getMessage()));
        }
        if (value == null) {
            throw new GlimpseException(source + ": entry " + name + ".json is null, expected a " + type.getSimpleName());
        }
        return value;
    }

    /** The file this bundle was read from (null for one being built), for messages. */
    public Path source() {
        return source;
    }

    /** {@code "<file>: <name>.json"} or {@code "<file>: <name>.f32"}: the prefix of a message about one entry. */
    public String where(String entry) {
        return source + ": " + entry;
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

    /**
     * Reads a model file, checking every size against {@link ModelLimits} before allocating or
     * inflating anything for it: file size, entry count, each entry's declared size (JSON and float
     * entries have their own caps) and their total, then each entry inflates to exactly its declared
     * size and CRC or is refused. Only {@code *.json} and {@code *.f32} entries at the top level are
     * accepted.
     */
    public static ModelBundle read(Path file) {
        Map<String, byte[]> json = new LinkedHashMap<>();
        Map<String, float[]> floats = new LinkedHashMap<>();
        try (BoundedZip zip = BoundedZip.open(file, "Glimpse model file", ModelLimits.MODEL_FILE, ModelBundle::entryLimit)) {
            if (!zip.has(MANIFEST)) {
                throw new GlimpseException(file + ": not a Glimpse model file (no " + MANIFEST + ")");
            }
            for (String name : zip.names()) {
                if (name.endsWith(".json")) {
                    json.put(name, zip.bytes(name));
                } else {
                    floats.put(name, readFloats(zip, name, file));
                }
            }
        }
        Manifest manifest;
        try {
            manifest = Json.MAPPER.readValue(json.get(MANIFEST), Manifest.class);
        } catch (IOException e) {
            throw new GlimpseException(file + ": " + MANIFEST + " is invalid: " + firstLine(e.getMessage()));
        }
        if (manifest == null) {
            throw new GlimpseException(file + ": " + MANIFEST + " is null");
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

    /** The most an entry may declare, by kind; -1 = not a model file entry. */
    private static long entryLimit(String name) {
        if (!ENTRY_NAME.matcher(name).matches()) {
            return -1;
        }
        if (name.endsWith(".json")) {
            return ModelLimits.MAX_JSON_BYTES;
        }
        return name.endsWith(".f32") ? ModelLimits.MAX_FLOAT_ENTRY_BYTES : -1;
    }

    /** Little-endian float32, straight into an array of the checked declared length (no byte[] copy). */
    private static float[] readFloats(BoundedZip zip, String name, Path file) {
        long bytes = zip.size(name);
        if (bytes % Float.BYTES != 0) {
            throw new GlimpseException(file + ": entry " + name + " is not a float array (" + bytes
                    + " bytes is not a multiple of 4)");
        }
        float[] out = new float[(int) (bytes / Float.BYTES)];
        byte[] buf = new byte[1 << 16];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        try (InputStream in = zip.open(name)) {
            int at = 0;
            int pending = 0; // bytes in buf not yet converted (reads need not end on a float boundary)
            while (at < out.length) {
                int n = in.read(buf, pending, buf.length - pending);
                if (n < 0) {
                    throw new GlimpseException(file + ": entry " + name + " ends early");
                }
                pending += n;
                int whole = pending / Float.BYTES;
                bb.clear();
                bb.asFloatBuffer().get(out, at, whole);
                at += whole;
                int rest = pending - whole * Float.BYTES;
                System.arraycopy(buf, whole * Float.BYTES, buf, 0, rest);
                pending = rest;
            }
            in.read(); // at the declared end: checks that nothing follows and the CRC
        } catch (IOException e) {
            throw new GlimpseException(file + ": entry " + name + " cannot be read: " + firstLine(e.getMessage()));
        }
        return out;
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

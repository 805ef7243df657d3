package dev.glimpse.common.features;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelLimits;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.io.AtomicFiles;
import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code manifest.json} of a feature cache, written once when the cache is created. Records are
 * fixed-size: an 8-byte little-endian image id, then {@code pooledDim} halves, then
 * {@code gridRegions * gridDim} halves (region-major), all little-endian IEEE binary16.
 * Record {@code n} lives in shard {@code n / recordsPerShard} at offset
 * {@code (n % recordsPerShard) * recordBytes}; {@code commits.log} says which records exist.
 */
record CacheManifest(String format, int version, EncoderInfo encoder, String dtype, String byteOrder,
                     int pooledDim, int gridRegions, int gridDim, int recordBytes, int recordsPerShard) {
    static final String FORMAT = "glimpse-feature-cache";
    static final int VERSION = 1;
    static final String FILE = "manifest.json";
    static final long MAX_SHARD_BYTES = 1L << 30; // one MappedByteBuffer each (2 GB limit)
    static final long MAX_MANIFEST_BYTES = 1L << 20;
    static final int MAX_GRID_SIDE = 256;

    static CacheManifest of(EncoderInfo info) {
        long record = 8L + 2L * (info.pooledDim() + (long) info.gridRegions() * info.gridDim());
        if (record > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("feature record of " + record + " bytes is too large");
        }
        int perShard = (int) Math.max(1, MAX_SHARD_BYTES / record);
        return new CacheManifest(FORMAT, VERSION, info, "float16", "little-endian", info.pooledDim(),
                info.gridRegions(), info.gridDim(), (int) record, perShard);
    }

    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    static CacheManifest read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new GlimpseException(dir + ": not a feature cache (no " + FILE + ")");
        }
        CacheManifest m;
        try {
            if (Files.size(file) > MAX_MANIFEST_BYTES) {
                throw new GlimpseException(file + ": feature cache manifest is larger than " + MAX_MANIFEST_BYTES + " bytes");
            }
            m = Json.MAPPER.readValue(file.toFile(), CacheManifest.class);
        } catch (IOException e) {
            throw new GlimpseException(file + ": unreadable feature cache manifest: " + firstLine(e.getMessage()), e);
        }
        if (m == null || !FORMAT.equals(m.format()) || m.encoder() == null) {
            throw new GlimpseException(file + ": not a Glimpse feature cache manifest");
        }
        if (m.version() != VERSION) {
            throw new GlimpseException(file + ": feature cache format version " + m.version()
                    + " is not supported (this Glimpse reads version " + VERSION + ")");
        }
        EncoderInfo e = m.encoder();
        String where = file + ": encoder";
        ModelLimits.dimension(where, "pooledDim", e.pooledDim(), ModelLimits.MAX_FEATURE_DIM);
        ModelLimits.dimension(where, "gridDim", e.gridDim(), ModelLimits.MAX_FEATURE_DIM);
        ModelLimits.dimension(where, "gridRows", e.gridRows(), MAX_GRID_SIDE);
        ModelLimits.dimension(where, "gridCols", e.gridCols(), MAX_GRID_SIDE);
        CacheManifest expected = of(e);
        if (m.recordBytes() != expected.recordBytes() || m.pooledDim() != e.pooledDim()
                || m.gridRegions() != e.gridRegions() || m.gridDim() != e.gridDim() || m.recordsPerShard() < 1
                || (long) m.recordsPerShard() * m.recordBytes() > Math.max(MAX_SHARD_BYTES, m.recordBytes())
                || !"float16".equals(m.dtype())) {
            throw new GlimpseException(file + ": record layout does not match its encoder dimensions");
        }
        return m;
    }

    private static String firstLine(String s) {
        return s == null ? "no detail" : s.lines().findFirst().orElse("");
    }

    void write(Path dir) throws IOException {
        byte[] json = Json.MAPPER.writeValueAsBytes(this); // Jackson would close the stream AtomicFiles still needs
        AtomicFiles.write(dir.resolve(FILE), out -> out.write(json));
    }

    Path shard(Path dir, int index) {
        return dir.resolve(String.format("shard-%05d.f16", index));
    }

    /** Refuses a cache whose features came from another encoder, weights or preprocessing. */
    void requireSameEncoder(Path dir, EncoderInfo requested) {
        if (!encoder.sameFeatures(requested)) {
            throw new GlimpseException(dir.resolve(FILE) + ": cache holds features of " + encoder.describe()
                    + " but " + requested.describe() + " was requested; use another output folder or delete this one");
        }
    }
}

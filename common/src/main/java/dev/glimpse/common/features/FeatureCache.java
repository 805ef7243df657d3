package dev.glimpse.common.features;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderInfo;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Read side of a feature cache: the committed records as of {@link #open}, memory-mapped.
 * Each read checks the record's id and CRC against its commit entry, so a damaged shard is
 * reported, not silently decoded. Not thread-safe.
 */
public final class FeatureCache implements FeatureSource, AutoCloseable {
    private final Path dir;
    private final CacheManifest manifest;
    private final long[] ids;
    private final int[] crcs;
    private final Map<Long, Integer> slotOf;
    private final MappedByteBuffer[] shards;

    private FeatureCache(Path dir, CacheManifest manifest, List<CommitLog.Entry> entries) throws IOException {
        this.dir = dir;
        this.manifest = manifest;
        int n = entries.size();
        ids = new long[n];
        crcs = new int[n];
        slotOf = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            ids[i] = entries.get(i).id();
            crcs[i] = entries.get(i).recordCrc();
            slotOf.put(ids[i], i);
        }
        int per = manifest.recordsPerShard();
        shards = new MappedByteBuffer[(n + per - 1) / per];
        for (int s = 0; s < shards.length; s++) {
            long bytes = (long) Math.min(per, n - (long) s * per) * manifest.recordBytes();
            Path p = manifest.shard(dir, s);
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                if (ch.size() < bytes) {
                    throw new GlimpseException(p + ": feature shard is shorter than its committed records ("
                            + ch.size() + " < " + bytes + " bytes)");
                }
                shards[s] = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes);
                shards[s].order(ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    public static FeatureCache open(Path dir) {
        CacheManifest manifest = CacheManifest.read(dir);
        try {
            return new FeatureCache(dir, manifest, CommitLog.read(dir));
        } catch (IOException e) {
            throw new GlimpseException(dir + ": cannot read feature cache: " + e.getMessage(), e);
        }
    }

    /** Opens the cache and refuses it unless it was built by {@code expected}'s encoder and preprocessing. */
    public static FeatureCache open(Path dir, EncoderInfo expected) {
        CacheManifest.read(dir).requireSameEncoder(dir, expected);
        return open(dir);
    }

    public static boolean exists(Path dir) {
        return CacheManifest.exists(dir);
    }

    @Override
    public EncoderInfo info() {
        return manifest.encoder();
    }

    public int size() {
        return ids.length;
    }

    /** Image ids in the order they were committed. */
    public long[] ids() {
        return ids.clone();
    }

    public int recordBytes() {
        return manifest.recordBytes();
    }

    /** Bytes of the committed records plus the commit log and manifest. */
    public long diskBytes() {
        long total = (long) ids.length * (manifest.recordBytes() + CommitLog.ENTRY);
        try {
            total += Files.size(dir.resolve(CacheManifest.FILE));
        } catch (IOException e) {
            // size is informational only
        }
        return total;
    }

    @Override
    public boolean contains(long imageId) {
        return slotOf.containsKey(imageId);
    }

    @Override
    public INDArray pooled(long[] imageIds) {
        int f = manifest.pooledDim();
        float[] out = new float[imageIds.length * f];
        for (int b = 0; b < imageIds.length; b++) {
            decode(record(imageIds[b]), 0, f, out, b * f);
        }
        return Nd4j.create(out, new long[] {imageIds.length, f}, 'c'); // [B, F]
    }

    @Override
    public INDArray grid(long[] imageIds) {
        int r = manifest.gridRegions();
        int c = manifest.gridDim();
        int g = r * c;
        float[] out = new float[imageIds.length * g];
        for (int b = 0; b < imageIds.length; b++) {
            decode(record(imageIds[b]), manifest.pooledDim(), g, out, b * g);
        }
        return Nd4j.create(out, new long[] {imageIds.length, r, c}, 'c'); // [B, R, C]
    }

    /** The halves of one record (id stripped), after checking id and CRC. */
    private ShortBuffer record(long id) {
        Integer slot = slotOf.get(id);
        if (slot == null) {
            throw new GlimpseException(dir + ": image id " + id + " is not in the feature cache");
        }
        int per = manifest.recordsPerShard();
        int len = manifest.recordBytes();
        MappedByteBuffer shard = shards[slot / per];
        int offset = (slot % per) * len;
        var rec = shard.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        rec.position(offset).limit(offset + len);
        rec = rec.slice().order(ByteOrder.LITTLE_ENDIAN);
        CRC32 crc = new CRC32();
        crc.update(rec.duplicate());
        if (rec.getLong(0) != id || (int) crc.getValue() != crcs[slot]) {
            throw new GlimpseException(manifest.shard(dir, slot / per) + ": record " + slot + " (image " + id
                    + ") is damaged; delete the cache folder and extract again");
        }
        rec.position(8);
        return rec.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
    }

    private static void decode(ShortBuffer halves, int from, int count, float[] out, int at) {
        for (int i = 0; i < count; i++) {
            out[at + i] = Half.toFloat(halves.get(from + i));
        }
    }

    @Override
    public void close() {
        // Mapped buffers are released by the garbage collector; nothing else is held open.
    }
}

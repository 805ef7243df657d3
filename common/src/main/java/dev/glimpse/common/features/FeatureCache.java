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
import java.util.Map;
import java.util.zip.CRC32;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Read side of a feature cache: the committed records as of {@link #open}, memory-mapped.
 * Opening refuses a damaged or cut commit log (naming the entry); each read checks the record's id
 * and CRC against its commit entry and that every value is finite, so a damaged shard is reported,
 * not silently decoded. Tombstoned slots ({@code glimpse features --repair}) are skipped. Not
 * thread-safe.
 */
public final class FeatureCache implements FeatureSource, AutoCloseable {
    /** The option of {@code glimpse features} that re-extracts damaged entries and records. */
    public static final String REPAIR_OPTION = "--repair";
    static final String REPAIR_ADVICE = "rerun glimpse features with " + REPAIR_OPTION
            + " to re-extract the affected images (or delete the cache folder)";

    private final Path dir;
    private final CacheManifest manifest;
    private final long[] ids;
    private final int[] crcs;
    private final Map<Long, Integer> slotOf;
    private final MappedByteBuffer[] shards;

    private FeatureCache(Path dir, CacheManifest manifest, CommitLog.Scan log) throws IOException {
        this.dir = dir;
        this.manifest = manifest;
        int slots = log.slots().size();
        int live = log.liveCount();
        ids = new long[live];
        crcs = new int[slots];
        slotOf = new HashMap<>(live * 2);
        int k = 0;
        for (int slot = 0; slot < slots; slot++) {
            CommitLog.Entry e = log.slots().get(slot);
            if (e == null) {
                continue; // tombstone
            }
            Integer prev = slotOf.put(e.id(), slot);
            if (prev != null) {
                throw new GlimpseException(dir.resolve(CommitLog.FILE) + ": entry " + slot + " repeats image "
                        + e.id() + " (also entry " + prev + "); " + REPAIR_ADVICE);
            }
            ids[k++] = e.id();
            crcs[slot] = e.recordCrc();
        }
        int per = manifest.recordsPerShard();
        shards = new MappedByteBuffer[(slots + per - 1) / per];
        for (int s = 0; s < shards.length; s++) {
            long bytes = (long) Math.min(per, slots - (long) s * per) * manifest.recordBytes();
            Path p = manifest.shard(dir, s);
            if (!Files.isRegularFile(p)) {
                throw new GlimpseException(p + ": feature shard is missing (the commit log names records in it); "
                        + REPAIR_ADVICE);
            }
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                if (ch.size() < bytes) {
                    throw new GlimpseException(p + ": feature shard is shorter than its committed records ("
                            + ch.size() + " < " + bytes + " bytes); " + REPAIR_ADVICE);
                }
                shards[s] = ch.map(FileChannel.MapMode.READ_ONLY, 0, bytes);
                shards[s].order(ByteOrder.LITTLE_ENDIAN);
            }
        }
    }

    /** Opens the cache; a damaged or cut commit log is an error naming the entry, never a smaller cache. */
    public static FeatureCache open(Path dir) {
        CacheManifest manifest = CacheManifest.read(dir);
        try {
            CommitLog.Scan log = CommitLog.scan(dir);
            if (!log.clean()) {
                throw new GlimpseException(log.problem(dir, manifest, REPAIR_ADVICE));
            }
            return new FeatureCache(dir, manifest, log);
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
        long total = (long) crcs.length * (manifest.recordBytes() + CommitLog.ENTRY); // tombstoned slots too
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

    /** The halves of one record (id stripped), after checking id, CRC and that every value is finite. */
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
            throw new GlimpseException(where(slot, id) + " is damaged (" + (rec.getLong(0) != id
                    ? "it holds image " + rec.getLong(0) : "checksum mismatch") + "); " + REPAIR_ADVICE);
        }
        rec.position(8);
        ShortBuffer halves = rec.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
        int bad = firstNonFinite(halves);
        if (bad >= 0) {
            throw new GlimpseException(where(slot, id) + " holds a non-finite value at "
                    + (bad < manifest.pooledDim() ? "pooled[" + bad + "]" : "grid value " + (bad - manifest.pooledDim()))
                    + " (" + Half.toFloat(halves.get(bad)) + "); " + REPAIR_ADVICE);
        }
        return halves;
    }

    /** {@code shard-00000.f16: record at byte offset 4096 (slot 9, image 123)}. */
    private String where(int slot, long id) {
        int per = manifest.recordsPerShard();
        return manifest.shard(dir, slot / per) + ": record at byte offset " + (long) (slot % per) * manifest.recordBytes()
                + " (slot " + slot + ", image " + id + ")";
    }

    /** Index of the first infinity or NaN (all exponent bits set), or -1. */
    static int firstNonFinite(ShortBuffer halves) {
        for (int i = 0, n = halves.limit(); i < n; i++) {
            if ((halves.get(i) & 0x7C00) == 0x7C00) {
                return i;
            }
        }
        return -1;
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

package dev.glimpse.common.features;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.EncoderInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Appends feature records to a cache, safe to interrupt at any point: a batch's records are
 * written and forced to disk first, then their commit entries are appended and forced. On
 * reopen, records past the last commit entry are truncated away and rewritten, so a rerun
 * continues where the last one stopped and never trusts a half-written record.
 *
 * <p>A damaged commit log (an entry failing its checksum, a log cut mid-entry) is refused unless
 * the cache is opened with {@code repair}: then every committed record is also verified (id, CRC,
 * finite values; this reads the whole cache), damaged entries and records are tombstoned and a cut
 * tail is dropped, so their images are extracted again. What was repaired is listed in
 * {@link #repairs()}.
 */
public final class FeatureCacheWriter implements AutoCloseable {
    /** One slot given up by a repair: its index, the image its entry or record names, and why. */
    public record Repair(int slot, long imageId, String reason) {}

    private final Path dir;
    private final CacheManifest manifest;
    private final Set<Long> committed = new HashSet<>();
    private final List<Repair> repairs = new ArrayList<>();
    private final FileChannel log;
    private FileChannel shard;
    private int shardIndex = -1;
    private int slots;

    private FeatureCacheWriter(Path dir, CacheManifest manifest, CommitLog.Scan scan, boolean repair) throws IOException {
        this.dir = dir;
        this.manifest = manifest;
        if (!scan.clean() && !repair) {
            throw new GlimpseException(scan.problem(dir, manifest, FeatureCache.REPAIR_ADVICE));
        }
        slots = scan.slots().size();
        log = CommitLog.openForAppend(dir, slots); // cuts a torn tail (refused above unless repairing)
        try (RecordCheck records = new RecordCheck(dir, manifest)) {
            if (scan.tornBytes() > 0) {
                repairs.add(new Repair(slots, -1, "commit log cut mid-entry: " + scan.tornBytes() + " bytes dropped"));
            }
            for (CommitLog.Damage d : scan.damaged()) {
                CommitLog.writeTombstone(log, d.index(), d.claimedId(), 0);
                repairs.add(new Repair(d.index(), d.claimedId(), "damaged commit entry"));
            }
            for (int slot = 0; slot < slots; slot++) {
                CommitLog.Entry e = scan.slots().get(slot);
                if (e == null) {
                    continue;
                }
                String damage = repair ? records.problem(slot, e) : null;
                if (damage == null && !committed.add(e.id())) {
                    if (!repair) {
                        throw new GlimpseException(dir.resolve(CommitLog.FILE) + ": entry " + slot + " repeats image "
                                + e.id() + "; " + FeatureCache.REPAIR_ADVICE);
                    }
                    damage = "repeats an earlier entry";
                }
                if (damage != null) {
                    CommitLog.writeTombstone(log, slot, e.id(), e.recordCrc());
                    repairs.add(new Repair(slot, e.id(), damage));
                }
            }
            if (!repairs.isEmpty()) {
                log.force(false);
            }
            dropUncommittedRecords();
        } catch (IOException | RuntimeException ex) {
            log.close();
            throw ex;
        }
    }

    /**
     * Refuses an existing cache whose commit log is damaged or cut, without opening anything else:
     * a command calls it before spending time on the encoder. An absent cache passes.
     */
    public static void requireIntactLog(Path dir) {
        if (!CacheManifest.exists(dir)) {
            return;
        }
        CacheManifest manifest = CacheManifest.read(dir);
        try {
            CommitLog.Scan scan = CommitLog.scan(dir);
            if (!scan.clean()) {
                throw new GlimpseException(scan.problem(dir, manifest, FeatureCache.REPAIR_ADVICE));
            }
        } catch (IOException e) {
            throw new GlimpseException(dir + ": cannot read feature cache: " + e.getMessage(), e);
        }
    }

    /** Opens the cache in {@code dir} for appending, creating it if absent; refuses a cache of another encoder. */
    public static FeatureCacheWriter openOrCreate(Path dir, EncoderInfo info) {
        return openOrCreate(dir, info, false);
    }

    /**
     * As {@link #openOrCreate(Path, EncoderInfo)}; with {@code repair}, damaged entries and records
     * are tombstoned (see the class comment) instead of refused.
     */
    public static FeatureCacheWriter openOrCreate(Path dir, EncoderInfo info, boolean repair) {
        try {
            CacheManifest manifest;
            if (CacheManifest.exists(dir)) {
                manifest = CacheManifest.read(dir);
                manifest.requireSameEncoder(dir, info);
            } else {
                Files.createDirectories(dir);
                manifest = CacheManifest.of(info);
                manifest.write(dir);
            }
            return new FeatureCacheWriter(dir, manifest, CommitLog.scan(dir), repair);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": cannot open feature cache for writing: " + e.getMessage(), e);
        }
    }

    /**
     * Repairs the cache in {@code dir} in place, whatever encoder made it (its own manifest says):
     * damaged entries and records are given up, so a rerun extracts those images again. Nothing
     * happens when there is no cache; returns what was given up.
     */
    public static List<Repair> repair(Path dir) {
        if (!CacheManifest.exists(dir)) {
            return List.of();
        }
        EncoderInfo info = CacheManifest.read(dir).encoder();
        try (FeatureCacheWriter w = openOrCreate(dir, info, true)) {
            return w.repairs();
        }
    }

    /** Slots a repair gave up (empty without repair, or when nothing was damaged). */
    public List<Repair> repairs() {
        return List.copyOf(repairs);
    }

    public boolean contains(long imageId) {
        return committed.contains(imageId);
    }

    public int size() {
        return slots;
    }

    public long recordBytes() {
        return manifest.recordBytes();
    }

    /** Writes one record per row of {@code batch} and commits them together. */
    public void append(long[] ids, EncodedBatch batch) {
        int f = manifest.pooledDim();
        int g = manifest.gridRegions() * manifest.gridDim();
        if (batch.size() != ids.length || batch.pooled().size(1) != f
                || batch.grid().size(1) * batch.grid().size(2) != g) {
            throw new IllegalArgumentException("batch shape does not match the cache layout");
        }
        Set<Long> seen = new HashSet<>();
        for (long id : ids) {
            if (committed.contains(id) || !seen.add(id)) {
                throw new IllegalArgumentException("image id " + id + " is already in the cache or repeated in the batch");
            }
        }
        float[] pooled = floats(batch.pooled()); // [B*F]
        float[] grid = floats(batch.grid()); // [B*R*C]
        for (int b = 0; b < ids.length; b++) {
            requireHalfRange(ids[b], "pooled", pooled, b * f, f);
            requireHalfRange(ids[b], "grid", grid, b * g, g);
        }
        ByteBuffer record = ByteBuffer.allocate(manifest.recordBytes()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer entries = ByteBuffer.allocate(ids.length * CommitLog.ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        try {
            for (int b = 0; b < ids.length; b++) {
                int slot = slots + b;
                FileChannel ch = shardFor(slot / manifest.recordsPerShard());
                record.clear();
                record.putLong(ids[b]);
                putHalves(record, pooled, b * f, f);
                putHalves(record, grid, b * g, g);
                record.flip();
                long offset = (long) (slot % manifest.recordsPerShard()) * manifest.recordBytes();
                while (record.hasRemaining()) {
                    offset += ch.write(record, offset);
                }
                CommitLog.encode(entries, ids[b], CommitLog.crc(record.array(), 0, manifest.recordBytes()));
            }
            shard.force(false);
            entries.flip();
            while (entries.hasRemaining()) {
                log.write(entries);
            }
            log.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(dir + ": writing features failed: " + e.getMessage(), e);
        }
        for (long id : ids) {
            committed.add(id);
        }
        slots += ids.length;
    }

    private static float[] floats(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    private static void putHalves(ByteBuffer out, float[] src, int from, int count) {
        for (int i = from, end = from + count; i < end; i++) {
            out.putShort(Half.fromFloat(src[i]));
        }
    }

    /** Infinity, NaN or beyond float16 would poison every model trained on the cache: refused before writing. */
    private static void requireHalfRange(long id, String what, float[] src, int from, int count) {
        for (int i = from, end = from + count; i < end; i++) {
            if ((Half.fromFloat(src[i]) & 0x7C00) == 0x7C00) {
                throw new GlimpseException("image " + id + ": feature value " + what + "[" + (i - from) + "] = " + src[i]
                        + " is not finite in float16 (max " + Half.MAX_VALUE + "); the encoder's output is out of"
                        + " range, nothing of this batch was written");
            }
        }
    }

    private FileChannel shardFor(int index) throws IOException {
        if (index != shardIndex) {
            if (shard != null) { // the previous shard is complete: on disk before any commit names it
                shard.force(false);
                shard.close();
            }
            shard = FileChannel.open(manifest.shard(dir, index), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            shardIndex = index;
        }
        return shard;
    }

    /** Cuts shard files back to the committed records (a crash may have left more). */
    private void dropUncommittedRecords() throws IOException {
        int per = manifest.recordsPerShard();
        int lastShard = slots == 0 ? -1 : (slots - 1) / per;
        for (int i = 0; ; i++) {
            Path p = manifest.shard(dir, i);
            if (!Files.exists(p)) {
                if (i > lastShard) {
                    break;
                }
                continue;
            }
            if (i > lastShard) {
                Files.delete(p);
                continue;
            }
            long keep = (long) Math.min(per, slots - (long) i * per) * manifest.recordBytes();
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                if (ch.size() > keep) {
                    ch.truncate(keep);
                    ch.force(false);
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            if (shard != null) {
                shard.close();
            }
            log.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

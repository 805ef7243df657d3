package dev.glimpse.common.features;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Verifies committed records one by one for a repair: present in its shard, the id and CRC its
 * commit entry names, every value finite. Reads through one open channel per shard.
 */
final class RecordCheck implements AutoCloseable {
    private final Path dir;
    private final CacheManifest manifest;
    private final Map<Integer, FileChannel> shards = new HashMap<>();
    private final ByteBuffer record;

    RecordCheck(Path dir, CacheManifest manifest) {
        this.dir = dir;
        this.manifest = manifest;
        this.record = ByteBuffer.allocate(manifest.recordBytes()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** What is wrong with the record in {@code slot}, or null when it is intact. */
    String problem(int slot, CommitLog.Entry entry) throws IOException {
        int per = manifest.recordsPerShard();
        int index = slot / per;
        FileChannel ch = shards.get(index);
        if (ch == null) {
            Path p = manifest.shard(dir, index);
            if (!Files.isRegularFile(p)) {
                return "shard " + p.getFileName() + " is missing";
            }
            ch = FileChannel.open(p, StandardOpenOption.READ);
            shards.put(index, ch);
        }
        long offset = (long) (slot % per) * manifest.recordBytes();
        record.clear();
        while (record.hasRemaining()) {
            if (ch.read(record, offset + record.position()) < 0) {
                return "record missing from " + manifest.shard(dir, index).getFileName() + " (shard too short)";
            }
        }
        record.flip();
        if (record.getLong(0) != entry.id()) {
            return "record holds image " + record.getLong(0);
        }
        if (CommitLog.crc(record.array(), 0, record.limit()) != entry.recordCrc()) {
            return "record fails its checksum";
        }
        record.position(8);
        int bad = FeatureCache.firstNonFinite(record.slice().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer());
        return bad >= 0 ? "record holds a non-finite value" : null;
    }

    @Override
    public void close() throws IOException {
        for (FileChannel ch : shards.values()) {
            ch.close();
        }
    }
}

package dev.glimpse.common.features;

import dev.glimpse.common.GlimpseException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.CRC32;

/**
 * {@code commits.log}: one 16-byte entry per record slot, appended only after the record itself is
 * on disk: image id (8 bytes), CRC32 of the record (4), CRC32 of those 12 bytes (4). Entry
 * {@code n} commits record slot {@code n}. An entry whose last 4 bytes are the complement of that
 * CRC is a tombstone: its slot was found damaged and given up by {@code glimpse features --repair}
 * (the image is extracted again into a new slot). Any other checksum mismatch, or a log whose
 * length is not a whole number of entries, is damage: it is reported with the entry's index and
 * byte offset, never silently skipped (skipping would quietly shrink every run that reads the cache).
 */
final class CommitLog {
    static final String FILE = "commits.log";
    static final int ENTRY = 16;
    /** Bounds what reading a log allocates (ids, checksums, an index): 50M images is 800 MB of log. */
    static final long MAX_ENTRIES = 50_000_000L;

    record Entry(long id, int recordCrc) {}

    /** An entry that fails its checksum; {@code claimedId} is what its (damaged) bytes say. */
    record Damage(int index, long claimedId) {
        long offset() {
            return (long) index * ENTRY;
        }
    }

    /**
     * The whole log.
     *
     * @param slots      one element per whole entry: the entry, or null for a tombstone or damage
     * @param damaged    entries that fail their checksum, in log order
     * @param tornBytes  bytes after the last whole entry (a log cut mid-entry), 0 normally
     */
    record Scan(List<Entry> slots, List<Damage> damaged, int tornBytes) {
        boolean clean() {
            return damaged.isEmpty() && tornBytes == 0;
        }

        int liveCount() {
            int n = 0;
            for (Entry e : slots) {
                if (e != null) {
                    n++;
                }
            }
            return n;
        }

        /**
         * One line saying what is wrong with the log, for a refusal; {@code remedy} ends it.
         * Damaged entries name the image id and the shard their bytes claim.
         */
        String problem(Path dir, CacheManifest manifest, String remedy) {
            Path file = dir.resolve(FILE);
            if (!damaged.isEmpty()) {
                Damage d = damaged.get(0);
                Path shard = manifest.shard(dir, d.index() / manifest.recordsPerShard());
                long recordAt = (long) (d.index() % manifest.recordsPerShard()) * manifest.recordBytes();
                Long recordId = firstLong(shard, recordAt);
                return file + ": entry " + d.index() + " (byte offset " + d.offset() + ") is damaged (checksum mismatch;"
                        + " it names image " + d.claimedId() + ", record slot " + d.index() + " in " + shard.getFileName()
                        + (recordId == null ? "" : ", its record holds image " + recordId) + ")"
                        + (damaged.size() > 1 ? "; " + damaged.size() + " damaged entries in all" : "") + "; " + remedy;
            }
            return file + ": ends mid-entry: entry " + slots.size() + " at byte offset " + (long) slots.size() * ENTRY
                    + " has " + tornBytes + " of " + ENTRY + " bytes (the log was cut or a write was interrupted); " + remedy;
        }
    }

    private CommitLog() {}

    /** The little-endian long at {@code offset} of {@code file} (a record's image id), or null if unreadable. */
    private static Long firstLong(Path file, long offset) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            while (b.hasRemaining()) {
                if (ch.read(b, offset + b.position()) < 0) {
                    return null;
                }
            }
            return b.getLong(0);
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads every entry; an absent log is an empty one. */
    static Scan scan(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        List<Entry> slots = new ArrayList<>();
        List<Damage> damaged = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return new Scan(slots, damaged, 0);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size / ENTRY > MAX_ENTRIES) {
                throw new GlimpseException(file + ": " + size / ENTRY + " entries, more than the limit of " + MAX_ENTRIES
                        + " images per cache");
            }
            ByteBuffer buf = ByteBuffer.allocate(ENTRY * 4096).order(ByteOrder.LITTLE_ENDIAN);
            long whole = size / ENTRY;
            long read = 0;
            int index = 0;
            while (read < whole * ENTRY) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), whole * ENTRY - read));
                while (buf.hasRemaining()) {
                    if (ch.read(buf, read + buf.position()) < 0) {
                        throw new IOException("file shrank while reading");
                    }
                }
                buf.flip();
                while (buf.remaining() >= ENTRY) {
                    int start = buf.position();
                    long id = buf.getLong();
                    int recordCrc = buf.getInt();
                    int entryCrc = buf.getInt();
                    int crc = crc(buf.array(), start, 12);
                    if (entryCrc == crc) {
                        slots.add(new Entry(id, recordCrc));
                    } else {
                        slots.add(null);
                        if (entryCrc != ~crc) {
                            damaged.add(new Damage(index, id));
                        }
                    }
                    index++;
                }
                read += buf.limit();
            }
            return new Scan(slots, Collections.unmodifiableList(damaged), (int) (size - whole * ENTRY));
        }
    }

    static void encode(ByteBuffer out, long id, int recordCrc) {
        int start = out.position();
        out.putLong(id).putInt(recordCrc);
        out.putInt(crc(out.array(), start, 12));
    }

    /** Marks slot {@code index} as given up (keeps the claimed id and CRC for anyone inspecting the file). */
    static void writeTombstone(FileChannel log, int index, long claimedId, int recordCrc) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(claimedId).putInt(recordCrc);
        b.putInt(~crc(b.array(), 0, 12));
        b.flip();
        long at = (long) index * ENTRY;
        while (b.hasRemaining()) {
            at += log.write(b, at);
        }
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32 c = new CRC32();
        c.update(bytes, offset, length);
        return (int) c.getValue();
    }

    /** Opens the log for appending after {@code wholeEntries} entries (a torn tail, only ever repaired, is cut). */
    static FileChannel openForAppend(Path dir, int wholeEntries) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        ch.truncate((long) wholeEntries * ENTRY);
        ch.position((long) wholeEntries * ENTRY);
        return ch;
    }
}

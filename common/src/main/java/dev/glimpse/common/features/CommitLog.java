package dev.glimpse.common.features;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * {@code commits.log}: one 16-byte entry per record, appended only after the record itself is on
 * disk: image id (8 bytes), CRC32 of the record (4), CRC32 of those 12 bytes (4). Entry {@code n}
 * commits record slot {@code n}. Readers stop at the first short or damaged entry, so a crash
 * mid-write leaves at most an ignored tail.
 */
final class CommitLog {
    static final String FILE = "commits.log";
    static final int ENTRY = 16;

    record Entry(long id, int recordCrc) {}

    private CommitLog() {}

    /** The valid prefix of the log (empty when there is none). */
    static java.util.List<Entry> read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        java.util.List<Entry> entries = new java.util.ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return entries;
        }
        ByteBuffer all = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        while (all.remaining() >= ENTRY) {
            int start = all.position();
            long id = all.getLong();
            int recordCrc = all.getInt();
            int entryCrc = all.getInt();
            if (crc(all.array(), start, 12) != entryCrc) {
                break;
            }
            entries.add(new Entry(id, recordCrc));
        }
        return entries;
    }

    static void encode(ByteBuffer out, long id, int recordCrc) {
        int start = out.position();
        out.putLong(id).putInt(recordCrc);
        out.putInt(crc(out.array(), start, 12));
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32 c = new CRC32();
        c.update(bytes, offset, length);
        return (int) c.getValue();
    }

    static FileChannel openForAppend(Path dir, int validEntries) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(FILE), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.READ);
        ch.truncate((long) validEntries * ENTRY); // drop a torn or damaged tail before appending
        ch.position((long) validEntries * ENTRY);
        return ch;
    }
}

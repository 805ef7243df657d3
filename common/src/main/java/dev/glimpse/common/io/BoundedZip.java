package dev.glimpse.common.io;

import dev.glimpse.common.GlimpseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A zip file someone else may have made, opened so that no size it declares is trusted before it
 * is checked: the file size, then the end-of-central-directory record (entry count and directory
 * size, read from the file's last 64 KiB before {@link ZipFile} allocates anything for them), then
 * every entry's name and declared size and their total. Entries are only read on request, into
 * buffers of their checked declared size; an entry that inflates to more or fewer bytes than it
 * declares, or whose CRC differs, is refused (the declared size is a hard cap, never a hint).
 * Nothing is ever extracted to disk. Not thread-safe.
 */
public final class BoundedZip implements AutoCloseable {
    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int EOCD_BYTES = 22;
    private static final int MAX_COMMENT = 0xFFFF;
    /** Central directory bytes per entry: 46 fixed + name + extra + comment; a generous bound. */
    private static final long DIRECTORY_BYTES_PER_ENTRY = 46 + 1024;

    /**
     * What a file of this kind may declare.
     *
     * @param maxFileBytes  size of the file on disk
     * @param maxEntries    number of entries
     * @param maxTotalBytes sum of the declared (inflated) sizes of all entries
     */
    public record Limits(long maxFileBytes, int maxEntries, long maxTotalBytes) {}

    /**
     * Decides the most an entry may inflate to, by name; -1 = this entry is not allowed (the caller's
     * name policy: nothing is extracted, so a name is only ever a map key here).
     */
    @FunctionalInterface
    public interface EntryLimit {
        long maxBytes(String name);
    }

    private final Path file;
    private final String what;
    private final ZipFile zip;
    private final Map<String, ZipEntry> entries;

    private BoundedZip(Path file, String what, ZipFile zip, Map<String, ZipEntry> entries) {
        this.file = file;
        this.what = what;
        this.zip = zip;
        this.entries = entries;
    }

    /**
     * Opens {@code file} after checking every size its directory declares.
     *
     * @param what        what the file should be, for messages ("Glimpse model file")
     * @param entryLimit  per-entry cap on the declared size; entries it refuses (-1) are errors
     */
    public static BoundedZip open(Path file, String what, Limits limits, EntryLimit entryLimit) {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new GlimpseException(file + ": " + what + " not found");
        } catch (IOException e) {
            throw new GlimpseException(file + ": cannot read " + what + ": " + e.getMessage());
        }
        if (!Files.isRegularFile(file)) {
            throw new GlimpseException(file + ": not a file (expected a " + what + ")");
        }
        if (size > limits.maxFileBytes()) {
            throw new GlimpseException(file + ": " + what + " is " + size + " bytes, more than the limit of "
                    + limits.maxFileBytes() + " bytes");
        }
        checkEndRecord(file, what, size, limits);
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new GlimpseException(file + ": not a " + what + " (" + firstLine(e.getMessage()) + ")");
        } catch (IOException e) {
            throw new GlimpseException(file + ": cannot read " + what + ": " + firstLine(e.getMessage()));
        }
        try {
            return new BoundedZip(file, what, zip, checkedEntries(file, what, zip, limits, entryLimit));
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    /** Reads the end-of-central-directory record and checks entry count and directory size. */
    private static void checkEndRecord(Path file, String what, long size, Limits limits) {
        int tail = (int) Math.min(size, EOCD_BYTES + MAX_COMMENT + 20L);
        byte[] buf = new byte[tail];
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            raf.seek(size - tail);
            raf.readFully(buf);
        } catch (IOException e) {
            throw new GlimpseException(file + ": cannot read " + what + ": " + firstLine(e.getMessage()));
        }
        ByteBuffer b = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        int at = -1;
        for (int i = tail - EOCD_BYTES; i >= 0; i--) {
            if (b.getInt(i) == EOCD_SIG && i + EOCD_BYTES + (b.getShort(i + 20) & 0xFFFF) == tail) {
                at = i;
                break;
            }
        }
        if (at < 0) {
            throw new GlimpseException(file + ": not a " + what + " (no zip directory found)");
        }
        int entries = b.getShort(at + 10) & 0xFFFF;
        long directoryBytes = b.getInt(at + 12) & 0xFFFFFFFFL;
        long directoryOffset = b.getInt(at + 16) & 0xFFFFFFFFL;
        boolean zip64 = entries == 0xFFFF || directoryBytes == 0xFFFFFFFFL || directoryOffset == 0xFFFFFFFFL
                || (at >= 20 && b.getInt(at - 20) == ZIP64_LOCATOR_SIG);
        if (zip64) {
            throw new GlimpseException(file + ": is a zip64 archive, which no " + what + " within the limits needs");
        }
        if (entries > limits.maxEntries()) {
            throw new GlimpseException(file + ": " + what + " declares " + entries + " entries, more than the limit of "
                    + limits.maxEntries());
        }
        if (directoryBytes > (long) limits.maxEntries() * DIRECTORY_BYTES_PER_ENTRY || directoryBytes > size) {
            throw new GlimpseException(file + ": " + what + " declares a zip directory of " + directoryBytes
                    + " bytes, more than " + limits.maxEntries() + " entries need");
        }
    }

    private static Map<String, ZipEntry> checkedEntries(Path file, String what, ZipFile zip, Limits limits,
                                                        EntryLimit entryLimit) {
        Map<String, ZipEntry> out = new LinkedHashMap<>();
        long total = 0;
        Enumeration<? extends ZipEntry> all = zip.entries();
        while (all.hasMoreElements()) {
            ZipEntry e = all.nextElement();
            String name = e.getName();
            if (out.size() == limits.maxEntries()) {
                throw new GlimpseException(file + ": " + what + " has more than " + limits.maxEntries() + " entries");
            }
            if (out.put(name, e) != null) {
                throw new GlimpseException(file + ": entry " + name + " appears twice in " + what);
            }
            long max = entryLimit.maxBytes(name);
            if (max < 0) {
                throw new GlimpseException(file + ": unexpected entry \"" + printable(name) + "\" in " + what);
            }
            long declared = e.getSize();
            if (declared < 0) {
                throw new GlimpseException(file + ": entry " + name + " does not declare its size");
            }
            if (declared > max) {
                throw new GlimpseException(file + ": entry " + name + " declares " + declared
                        + " bytes, more than the limit of " + max + " bytes");
            }
            total += declared;
            if (total > limits.maxTotalBytes()) {
                throw new GlimpseException(file + ": entries of " + what + " declare more than "
                        + limits.maxTotalBytes() + " bytes in total (the limit)");
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Entry names in directory order. */
    public java.util.Set<String> names() {
        return entries.keySet();
    }

    public boolean has(String name) {
        return entries.containsKey(name);
    }

    /** The checked declared (inflated) size of an entry. */
    public long size(String name) {
        return entry(name).getSize();
    }

    /** The whole entry, exactly its declared size (already checked against the limits). */
    public byte[] bytes(String name) {
        ZipEntry e = entry(name);
        if (e.getSize() > Integer.MAX_VALUE - 8) {
            throw new GlimpseException(file + ": entry " + name + " is too large to hold in one array");
        }
        byte[] out = new byte[(int) e.getSize()];
        try (InputStream in = open(name)) {
            int at = 0;
            while (at < out.length) {
                int n = in.read(out, at, out.length - at);
                if (n < 0) {
                    break;
                }
                at += n;
            }
            in.read(); // at the declared end: checks that nothing follows and the CRC
        } catch (IOException e2) {
            throw new GlimpseException(file + ": entry " + name + " cannot be read: " + firstLine(e2.getMessage()));
        }
        return out;
    }

    /**
     * A stream of exactly the entry's declared bytes: it fails if the data ends early, inflates past
     * the declared size, or does not match the entry's CRC (checked at the end of the data).
     */
    public InputStream open(String name) {
        ZipEntry e = entry(name);
        try {
            return new Capped(zip.getInputStream(e), e.getSize(), e.getCrc(), file + ": entry " + name);
        } catch (ZipException ex) {
            throw new GlimpseException(file + ": entry " + name + " is damaged: " + firstLine(ex.getMessage()));
        } catch (IOException ex) {
            throw new GlimpseException(file + ": entry " + name + " cannot be read: " + firstLine(ex.getMessage()));
        }
    }

    private ZipEntry entry(String name) {
        ZipEntry e = entries.get(name);
        if (e == null) {
            throw new GlimpseException(file + ": " + what + " has no entry " + name);
        }
        return e;
    }

    @Override
    public void close() {
        closeQuietly(zip);
    }

    private static void closeQuietly(ZipFile zip) {
        try {
            zip.close();
        } catch (IOException e) {
            // read-only: nothing is lost
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    private static String printable(String name) {
        String s = name.length() > 80 ? name.substring(0, 80) + "..." : name;
        return s.replaceAll("\\p{Cntrl}", "?");
    }

    /** Passes through at most {@code size} bytes and insists on exactly that many, with the right CRC. */
    private static final class Capped extends InputStream {
        private final InputStream in;
        private final long size;
        private final long crcExpected;
        private final String where;
        private final CRC32 crc = new CRC32();
        private long seen;
        private boolean checked;

        Capped(InputStream in, long size, long crcExpected, String where) {
            this.in = in;
            this.size = size;
            this.crcExpected = crcExpected;
            this.where = where;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            long left = size - seen;
            if (left == 0) {
                finish();
                return -1;
            }
            int n;
            try {
                n = in.read(b, off, (int) Math.min(len, left));
            } catch (ZipException | java.io.EOFException e) {
                throw new GlimpseException(where + " is damaged: " + firstLine(e.getMessage()));
            }
            if (n < 0) {
                throw new GlimpseException(where + " ends after " + seen + " of its declared " + size + " bytes");
            }
            crc.update(b, off, n);
            seen += n;
            return n;
        }

        /** At the declared end: no byte may follow, and the CRC must match. */
        private void finish() throws IOException {
            if (checked) {
                return;
            }
            checked = true;
            int more;
            try {
                more = in.read();
            } catch (ZipException | java.io.EOFException e) {
                throw new GlimpseException(where + " is damaged: " + firstLine(e.getMessage()));
            }
            if (more >= 0) {
                throw new GlimpseException(where + " inflates past its declared " + size + " bytes");
            }
            if (crcExpected >= 0 && crc.getValue() != crcExpected) {
                throw new GlimpseException(where + " fails its CRC check (damaged file)");
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}

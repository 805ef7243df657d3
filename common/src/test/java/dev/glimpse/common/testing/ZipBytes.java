package dev.glimpse.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Small zip files built in memory, and edits of what their central directory declares (for hostile-input tests). */
public final class ZipBytes {
    private static final int CEN_SIG = 0x02014b50;

    private ZipBytes() {}

    /** Entries in order; {@code stored} = no compression (sizes and CRC in the local header too). */
    public static byte[] of(Map<String, byte[]> entries, boolean stored) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                if (stored) {
                    ze.setMethod(ZipEntry.STORED);
                    ze.setSize(e.getValue().length);
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    ze.setCrc(crc.getValue());
                }
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return b.toByteArray();
    }

    /** Sets the uncompressed size the central directory declares for {@code name}. */
    public static byte[] declareSize(byte[] zip, String name, long size) {
        int at = centralHeader(zip, name);
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putInt(at + 24, (int) size);
        return zip;
    }

    /** Renames an entry in the central directory only (same length), e.g. to make two entries share a name. */
    public static byte[] rename(byte[] zip, String name, String to) {
        if (to.length() != name.length()) {
            throw new IllegalArgumentException("same length only");
        }
        int at = centralHeader(zip, name);
        byte[] t = to.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(t, 0, zip, at + 46, t.length);
        return zip;
    }

    private static int centralHeader(byte[] zip, String name) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + 46 <= zip.length; i++) {
            if (b.getInt(i) == CEN_SIG && (b.getShort(i + 28) & 0xFFFF) == n.length
                    && java.util.Arrays.equals(zip, i + 46, i + 46 + n.length, n, 0, n.length)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no central directory entry " + name);
    }
}

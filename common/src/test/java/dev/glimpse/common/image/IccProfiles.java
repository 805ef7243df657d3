package dev.glimpse.common.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Matrix/TRC RGB ICC profiles (version 2) built from published primaries, so colour tests need no
 * profile files: Adobe RGB (1998) and ProPhoto RGB, both with their D50-adapted colorants.
 */
final class IccProfiles {
    private IccProfiles() {}

    /** Adobe RGB (1998): gamma 563/256, colorants adapted to D50 (Bradford). */
    static byte[] adobeRgb() {
        return rgbProfile("Adobe RGB (1998) compatible", 563 / 256.0,
                new double[] {0.6097559, 0.3111242, 0.0194811},
                new double[] {0.2052401, 0.6256560, 0.0608902},
                new double[] {0.1492240, 0.0632197, 0.7448387});
    }

    /** ProPhoto RGB (ROMM): gamma 1.8, D50 native. */
    static byte[] proPhotoRgb() {
        return rgbProfile("ProPhoto RGB compatible", 1.8,
                new double[] {0.7976749, 0.2880402, 0.0000000},
                new double[] {0.1351917, 0.7118741, 0.0000000},
                new double[] {0.0313534, 0.0000857, 0.8252100});
    }

    static byte[] rgbProfile(String description, double gamma, double[] red, double[] green, double[] blue) {
        Map<String, byte[]> tags = new LinkedHashMap<>();
        tags.put("desc", desc(description));
        tags.put("cprt", text("No copyright, use freely"));
        tags.put("wtpt", xyz(0.9642, 1.0, 0.8249));
        tags.put("rXYZ", xyz(red[0], red[1], red[2]));
        tags.put("gXYZ", xyz(green[0], green[1], green[2]));
        tags.put("bXYZ", xyz(blue[0], blue[1], blue[2]));
        byte[] curve = curve(gamma);
        tags.put("rTRC", curve);
        tags.put("gTRC", curve);
        tags.put("bTRC", curve);
        return assemble("mntr", "RGB ", tags);
    }

    private static byte[] assemble(String profileClass, String colorSpace, Map<String, byte[]> tags) {
        int tableSize = 4 + 12 * tags.size();
        int offset = 128 + tableSize;
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteBuffer table = ByteBuffer.allocate(tableSize);
        table.putInt(tags.size());
        for (Map.Entry<String, byte[]> tag : tags.entrySet()) {
            while ((offset + data.size()) % 4 != 0) {
                data.write(0);
            }
            table.put(ascii(tag.getKey()));
            table.putInt(offset + data.size());
            table.putInt(tag.getValue().length);
            data.writeBytes(tag.getValue());
        }
        int size = offset + data.size();
        ByteBuffer header = ByteBuffer.allocate(128);
        header.putInt(size);
        header.putInt(0);
        header.putInt(0x02100000);
        header.put(ascii(profileClass));
        header.put(ascii(colorSpace));
        header.put(ascii("XYZ "));
        header.putShort((short) 2024).putShort((short) 1).putShort((short) 1).putShort((short) 0).putShort((short) 0).putShort((short) 0);
        header.put(ascii("acsp"));
        header.position(64);
        header.putInt(0); // perceptual intent
        header.putInt(s15(0.9642)).putInt(s15(1.0)).putInt(s15(0.8249));
        ByteBuffer all = ByteBuffer.allocate(size);
        all.put(header.array()).put(table.array()).put(data.toByteArray());
        return all.array();
    }

    private static byte[] desc(String s) {
        byte[] text = (s + "\0").getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(12 + text.length + 8 + 3 + 67);
        b.put(ascii("desc")).putInt(0).putInt(text.length).put(text);
        return b.array(); // unicode and ScriptCode parts left empty (counts 0)
    }

    private static byte[] text(String s) {
        byte[] text = (s + "\0").getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(8 + text.length).put(ascii("text")).putInt(0).put(text).array();
    }

    private static byte[] xyz(double x, double y, double z) {
        return ByteBuffer.allocate(20).put(ascii("XYZ ")).putInt(0).putInt(s15(x)).putInt(s15(y)).putInt(s15(z)).array();
    }

    private static byte[] curve(double gamma) {
        return ByteBuffer.allocate(14).put(ascii("curv")).putInt(0).putInt(1).putShort((short) Math.round(gamma * 256)).array();
    }

    private static int s15(double v) {
        return (int) Math.round(v * 65536);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}

package dev.glimpse.common.image;

import static dev.glimpse.common.image.ImageCorpusTest.assertNamesSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import java.awt.Color;
import java.awt.color.ICC_ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.awt.image.ColorConvertOp;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The classes of odd files issue 14 names, each built by mutating a small valid image: what must
 * decode (and to what), and what must be refused with one line.
 */
class OddImageClassesTest {
    private static final ImageLoader LOADER = new ImageLoader();

    /** 32x24 with distinct quadrant colours, enough structure to tell orientations and colours apart. */
    static BufferedImage picture() {
        BufferedImage img = new BufferedImage(32, 24, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 24; y++) {
            for (int x = 0; x < 32; x++) {
                img.setRGB(x, y, x < 16 ? (y < 12 ? 0x20C040 : 0xC04020) : (y < 12 ? 0x3050D0 : 0xE0D050));
            }
        }
        return img;
    }

    private static GlimpseException refused(byte[] bytes, String name) {
        GlimpseException e = assertThrows(GlimpseException.class, () -> LOADER.load(bytes, name));
        assertNamesSource(e, name);
        return e;
    }

    private static void assertSamePicture(BufferedImage expected, BufferedImage actual, int tolerance) {
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        for (int y = 0; y < expected.getHeight(); y += 3) {
            for (int x = 0; x < expected.getWidth(); x += 3) {
                Color e = new Color(expected.getRGB(x, y));
                Color a = new Color(actual.getRGB(x, y));
                String at = "pixel " + x + "," + y + ": " + e + " vs " + a;
                assertEquals(e.getRed(), a.getRed(), tolerance, at);
                assertEquals(e.getGreen(), a.getGreen(), tolerance, at);
                assertEquals(e.getBlue(), a.getBlue(), tolerance, at);
            }
        }
    }

    // ---- JPEG ----

    /** Offsets of the markers before the first scan (SOI excluded). */
    private static int[] headerMarkers(byte[] jpeg) {
        int[] at = new int[64];
        int n = 0;
        int p = 2;
        while ((jpeg[p + 1] & 0xFF) != 0xDA) {
            at[n++] = p;
            p += 2 + (((jpeg[p + 2] & 0xFF) << 8) | (jpeg[p + 3] & 0xFF));
        }
        at[n++] = p;
        return Arrays.copyOf(at, n);
    }

    private static byte[] insertBefore(byte[] data, int[] positions, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int p : positions) {
            out.write(data, from, p - from);
            out.writeBytes(insert);
            from = p;
        }
        out.write(data, from, data.length - from);
        return out.toByteArray();
    }

    /** JPEG B.1.1.2: any marker may be preceded by 0xFF fill bytes. Refused as "not a recognised image" before. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7, 300})
    void jpegWithFillBytesBetweenSegmentsDecodes(int fill) throws IOException {
        byte[] jpeg = ImageLoaderTest.encode(picture(), "jpeg");
        byte[] padding = new byte[fill];
        Arrays.fill(padding, (byte) 0xFF);
        byte[] filled = insertBefore(jpeg, headerMarkers(jpeg), padding);
        assertTrue(filled.length > jpeg.length);
        BufferedImage expected = LOADER.load(jpeg, "plain.jpg");
        assertSamePicture(expected, LOADER.load(filled, "filled.jpg"), 0);
    }

    @Test
    void jpegWithJunkBetweenSegmentsIsRefused() throws IOException {
        byte[] jpeg = ImageLoaderTest.encode(picture(), "jpeg");
        int[] markers = headerMarkers(jpeg);
        byte[] junk = insertBefore(jpeg, new int[] {markers[1]}, new byte[] {0x00, 0x42});
        assertTrue(refused(junk, "junk.jpg").getMessage().contains("junk between segments"));
    }

    /** A JPEG with an Adobe APP14 segment carrying the given colour transform, right after SOI. */
    private static byte[] withAdobeTransform(byte[] jpeg, int transform) {
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, (byte) transform};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        out.writeBytes(app14);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    private static byte[] grayJpeg() throws IOException {
        BufferedImage gray = new BufferedImage(24, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 24; x++) {
                gray.getRaster().setSample(x, y, 0, x * 10);
            }
        }
        return ImageLoaderTest.encode(gray, "jpeg");
    }

    /** Decoders disagree on what a contradicting Adobe transform means; accepted and captioned before. */
    @Test
    void jpegWithAnAdobeTransformItsComponentsContradictIsRefused() throws IOException {
        byte[] gray = grayJpeg();
        byte[] rgb = ImageLoaderTest.encode(picture(), "jpeg");
        assertEquals(24, LOADER.load(withAdobeTransform(gray, 0), "gray-0.jpg").getWidth());
        assertEquals(32, LOADER.load(withAdobeTransform(rgb, 1), "ycc-1.jpg").getWidth());
        assertTrue(refused(withAdobeTransform(gray, 1), "gray-ycc.jpg").getMessage()
                .contains("Adobe APP14 colour transform YCbCr contradicts the 1 colour component"));
        assertTrue(refused(withAdobeTransform(gray, 2), "gray-ycck.jpg").getMessage().contains("YCCK"));
        assertTrue(refused(withAdobeTransform(rgb, 2), "rgb-ycck.jpg").getMessage().contains("YCCK contradicts the 3"));
        assertTrue(refused(withAdobeTransform(rgb, 7), "rgb-7.jpg").getMessage().contains("unknown (7)"));
    }

    // ---- PNG ----

    private static byte[] chunk(String type, byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(12 + body.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        b.putInt(body.length).put(t).put(body);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(body);
        return b.putInt((int) crc.getValue()).array();
    }

    private static byte[] deflate(byte[] data) throws IOException {
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
            d.write(data);
        }
        return z.toByteArray();
    }

    /** The PNG with extra chunks after IHDR (which ImageIO's writer puts first, 33 bytes in). */
    private static byte[] afterHeader(byte[] png, byte[]... chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, 33);
        for (byte[] c : chunks) {
            out.writeBytes(c);
        }
        out.write(png, 33, png.length - 33);
        return out.toByteArray();
    }

    /** IHDR byte {@code index} (0-based within its 13 data bytes) set to {@code value}, checksum fixed. */
    private static byte[] withIhdrByte(byte[] png, int index, int value) {
        byte[] body = Arrays.copyOfRange(png, 16, 29);
        body[index] = (byte) value;
        byte[] out = png.clone();
        System.arraycopy(chunk("IHDR", body), 0, out, 8, 25);
        return out;
    }

    /** Only method 0 (deflate) exists; the JDK reader ignored the byte in iCCP/zTXt/iTXt. Accepted and captioned before. */
    @Test
    void pngWithAnUnknownCompressionMethodIsRefused() throws IOException {
        byte[] png = ImageLoaderTest.encode(picture(), "png");
        byte[] profile = deflate(IccProfiles.adobeRgb());
        byte[] text = deflate("a comment".getBytes(StandardCharsets.US_ASCII));
        assertEquals(32, LOADER.load(afterHeader(png, chunk("zTXt", concat("Comment\0\0".getBytes(StandardCharsets.US_ASCII), text))),
                "ztxt-0.png").getWidth());
        assertTrue(refused(withIhdrByte(png, 10, 1), "ihdr.png").getMessage().endsWith("(unknown compression method 1)"));
        assertTrue(refused(afterHeader(png, chunk("iCCP", concat("icc\0\1".getBytes(StandardCharsets.US_ASCII), profile))),
                "iccp.png").getMessage().contains("unknown compression method 1 in iCCP chunk"));
        assertTrue(refused(afterHeader(png, chunk("zTXt", concat("Comment\0\1".getBytes(StandardCharsets.US_ASCII), text))),
                "ztxt.png").getMessage().contains("zTXt"));
        assertTrue(refused(afterHeader(png, chunk("iTXt", concat("Comment\0\1\3\0\0".getBytes(StandardCharsets.US_ASCII), text))),
                "itxt.png").getMessage().contains("iTXt"));
        assertTrue(refused(withIhdrByte(png, 11, 1), "filter.png").getMessage().endsWith("(unknown filter method 1)"));
        assertTrue(refused(withIhdrByte(png, 12, 2), "interlace.png").getMessage().endsWith("(unknown interlace method 2)"));
    }

    @Test
    void pngStructureRulesAreEnforced() throws IOException {
        byte[] png = ImageLoaderTest.encode(picture(), "png");
        assertTrue(refused(afterHeader(png, chunk("ABCD", new byte[3])), "critical.png").getMessage()
                .contains("unknown critical chunk ABCD"));
        assertTrue(refused(afterHeader(png, chunk("IHDR", Arrays.copyOfRange(png, 16, 29))), "two.png").getMessage()
                .contains("more than one IHDR"));
        byte[] exif = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0};
        assertTrue(refused(afterHeader(png, chunk("eXIf", exif), chunk("eXIf", exif)), "exif2.png").getMessage()
                .contains("more than one eXIf"));
        // Damage to a chunk we do not use is ignored (as libpng does); to one we use it is not.
        byte[] time = chunk("tIME", new byte[] {7, (byte) 0xE8, 1, 1, 0, 0, 0});
        time[time.length - 1] ^= 1;
        assertEquals(32, LOADER.load(afterHeader(png, time), "time.png").getWidth());
        byte[] badExif = chunk("eXIf", exif);
        badExif[badExif.length - 1] ^= 1;
        assertTrue(refused(afterHeader(png, badExif), "badexif.png").getMessage().contains("bad checksum in eXIf"));
    }

    /** Image data that ends before the last row, or whose zlib checksum is wrong, is refused by the decoder. */
    @Test
    void pngImageDataThatEndsEarlyOrFailsItsChecksumIsRefused() throws IOException {
        byte[] rows = new byte[(1 + 4 * 3) * 3];
        byte[] png = ImageLoaderTest.png(4, 3, 2, 8, rows);
        assertEquals(4, LOADER.load(png, "ok.png").getWidth());
        assertTrue(refused(ImageLoaderTest.png(4, 3, 2, 8, new byte[(1 + 4 * 3) * 2]), "short.png").getMessage()
                .startsWith("short.png: truncated PNG data"));
        int idat = 33;
        int length = ByteBuffer.wrap(png, idat, 4).getInt();
        byte[] stream = Arrays.copyOfRange(png, idat + 8, idat + 8 + length);
        stream[stream.length - 1] ^= 1; // the zlib stream's Adler-32
        byte[] bad = concat(Arrays.copyOf(png, idat), chunk("IDAT", stream), chunk("IEND", new byte[0]));
        assertTrue(refused(bad, "adler.png").getMessage().startsWith("adler.png: corrupt PNG data"));
    }

    @Test
    void paletteIndexesBeyondThePaletteAreRefused() throws IOException {
        byte[] plte = chunk("PLTE", new byte[] {(byte) 255, 0, 0, 0, (byte) 255, 0});
        byte[] ok = ImageLoaderTest.png(2, 1, 3, 8, new byte[] {0, 0, 1});
        byte[] bad = ImageLoaderTest.png(2, 1, 3, 8, new byte[] {0, 0, 5});
        assertEquals(0x00FF00, LOADER.load(afterHeader(ok, plte), "ok.png").getRGB(1, 0) & 0xFFFFFF);
        assertTrue(refused(afterHeader(bad, plte), "bad.png").getMessage().contains("uses colour 5 of a 2-colour palette"));
    }

    // ---- ICC profiles ----

    /** The picture's sRGB colours expressed in the profile's space: the numbers a wide-gamut file stores. */
    private static BufferedImage inProfile(BufferedImage srgb, byte[] profile) {
        ComponentColorModel model = new ComponentColorModel(new ICC_ColorSpace(ICC_Profile.getInstance(profile)), false, false,
                ComponentColorModel.OPAQUE, DataBuffer.TYPE_BYTE);
        BufferedImage device = new BufferedImage(model, Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE,
                srgb.getWidth(), srgb.getHeight(), 3, null), false, null);
        new ColorConvertOp(null).filter(srgb, device);
        return device;
    }

    /** The device numbers as a plain (untagged) RGB image, as a decoder that ignores the profile sees them. */
    private static BufferedImage untagged(BufferedImage device) {
        BufferedImage out = new BufferedImage(device.getWidth(), device.getHeight(), BufferedImage.TYPE_INT_RGB);
        int[] px = new int[3];
        for (int y = 0; y < device.getHeight(); y++) {
            for (int x = 0; x < device.getWidth(); x++) {
                device.getRaster().getPixel(x, y, px);
                out.setRGB(x, y, (px[0] << 16) | (px[1] << 8) | px[2]);
            }
        }
        return out;
    }

    private static double meanDifference(BufferedImage a, BufferedImage b) {
        double sum = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                sum += Math.abs(((p >> 16) & 0xFF) - ((q >> 16) & 0xFF)) + Math.abs(((p >> 8) & 0xFF) - ((q >> 8) & 0xFF))
                        + Math.abs((p & 0xFF) - (q & 0xFF));
            }
        }
        return sum / (3.0 * a.getWidth() * a.getHeight());
    }

    /** A wide-gamut PNG (the JDK reader ignores iCCP) comes out in sRGB with the picture's colours. */
    @ParameterizedTest
    @ValueSource(strings = {"adobe", "prophoto"})
    void pngWithAWideGamutProfileIsConvertedToSrgb(String which) throws IOException {
        byte[] profile = which.equals("adobe") ? IccProfiles.adobeRgb() : IccProfiles.proPhotoRgb();
        BufferedImage srgb = picture();
        BufferedImage stored = untagged(inProfile(srgb, profile));
        byte[] png = afterHeader(ImageLoaderTest.encode(stored, "png"),
                chunk("iCCP", concat("wide\0\0".getBytes(StandardCharsets.US_ASCII), deflate(profile))));
        BufferedImage loaded = LOADER.load(png, which + ".png");
        double converted = meanDifference(srgb, loaded);
        double ignored = meanDifference(srgb, stored);
        assertTrue(converted < 2.5, which + ": " + converted + " from the sRGB original");
        assertTrue(ignored > 10, which + ": the test can tell (profile ignored: " + ignored + ")");
    }

    /** TwelveMonkeys applies a JPEG's and a TIFF's profile itself; the result must be the same sRGB picture. */
    @ParameterizedTest
    @ValueSource(strings = {"jpeg", "tiff"})
    void wideGamutJpegAndTiffComeOutInSrgb(String format) throws IOException {
        byte[] profile = IccProfiles.proPhotoRgb();
        BufferedImage srgb = picture();
        BufferedImage device = inProfile(srgb, profile);
        if (format.equals("tiff")) {
            // The TIFF writer embeds the image's profile; TIFF is lossless, so the sRGB picture must come back.
            double converted = meanDifference(srgb, LOADER.load(ImageLoaderTest.encode(device, "tiff"), "wide.tiff"));
            assertTrue(converted < 2.5, "tiff: " + converted + " from the sRGB original");
        } else {
            // JPEG is lossy (and a wide gamut magnifies its errors): the reference is the same JPEG
            // decoded without its profile, then converted from the profile to sRGB.
            byte[] jpeg = ImageLoaderTest.encode(untagged(device), "jpeg");
            byte[] app2 = concat(new byte[] {(byte) 0xFF, (byte) 0xE2, (byte) ((profile.length + 16) >> 8), (byte) (profile.length + 16)},
                    "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII), new byte[] {1, 1}, profile);
            byte[] tagged = concat(Arrays.copyOf(jpeg, 2), app2, Arrays.copyOfRange(jpeg, 2, jpeg.length));
            BufferedImage plain = LOADER.load(jpeg, "plain.jpg");
            BufferedImage expected = IccColor.toSrgb(plain, ICC_Profile.getInstance(profile));
            BufferedImage loaded = LOADER.load(tagged, "wide.jpg");
            assertTrue(meanDifference(expected, loaded) < 1.5, "jpeg: " + meanDifference(expected, loaded));
            assertTrue(meanDifference(plain, loaded) > 10, "the test can tell: " + meanDifference(plain, loaded));
        }
        assertTrue(meanDifference(srgb, untagged(device)) > 10);
    }

    // ---- orientation beyond JPEG ----

    @Test
    void pngExifOrientationIsApplied() throws IOException {
        byte[] exif = {'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0};
        BufferedImage loaded = LOADER.load(afterHeader(ImageLoaderTest.encode(picture(), "png"), chunk("eXIf", exif)), "rotated.png");
        assertSamePicture(Orientation.apply(picture(), 6), loaded, 0);
        assertEquals(24, loaded.getWidth());
    }

    // ---- TIFF ----

    /** Offset of IFD entry {@code tag} in a little-endian TIFF written by ImageIO, or -1. */
    private static int tiffEntry(byte[] tiff, int tag) {
        ByteBuffer b = ByteBuffer.wrap(tiff).order(tiff[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int ifd = b.getInt(4);
        int n = b.getShort(ifd) & 0xFFFF;
        for (int i = 0; i < n; i++) {
            int e = ifd + 2 + 12 * i;
            if ((b.getShort(e) & 0xFFFF) == tag) {
                return e;
            }
        }
        return -1;
    }

    /** Fuzzed TIFFs the TwelveMonkeys reader turns into some picture (defaults, zeros): accepted and captioned before. */
    @Test
    void fuzzedTiffsAreRefused() throws IOException {
        byte[] tiff = ImageLoaderTest.encode(picture(), "tiff");
        assertEquals(32, LOADER.load(tiff, "ok.tif").getWidth());
        ByteOrder order = tiff[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        // A tag repeated with another value (ImageLength written over BitsPerSample's tag number).
        byte[] duplicate = tiff.clone();
        int height = tiffEntry(duplicate, 257);
        ByteBuffer.wrap(duplicate).order(order).putShort(tiffEntry(duplicate, 256), (short) 257);
        assertTrue(height > 0);
        assertTrue(refused(duplicate, "dup.tif").getMessage().contains("appears twice"));
        // The strip's offset moved past the end of the file.
        byte[] outside = tiff.clone();
        int offsets = tiffEntry(outside, 273);
        ByteBuffer.wrap(outside).order(order).putInt(offsets + 8, outside.length - 10);
        assertTrue(refused(outside, "outside.tif").getMessage().contains("lies outside the file"));
        // An uncompressed strip shorter than its rows.
        byte[] shortStrip = tiff.clone();
        int counts = tiffEntry(shortStrip, 279);
        ByteBuffer.wrap(shortStrip).order(order).putInt(counts + 8, 100);
        assertTrue(refused(shortStrip, "short.tif").getMessage().contains("fewer than its rows need"));
        // A TIFF orientation tag is applied like a JPEG's.
        byte[] oriented = concat(tiff);
        int orientation = tiffEntry(oriented, 274);
        if (orientation > 0) {
            ByteBuffer.wrap(oriented).order(order).putShort(orientation + 8, (short) 3);
            assertSamePicture(Orientation.apply(picture(), 3), LOADER.load(oriented, "rot.tif"), 0);
        }
    }

    // ---- BMP ----

    private static byte[] rle8Bmp(int width, int height, byte[] rle) {
        int offset = 14 + 40 + 4 * 2;
        ByteBuffer b = ByteBuffer.allocate(offset + rle.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'B').put((byte) 'M').putInt(offset + rle.length).putInt(0).putInt(offset);
        b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) 8).putInt(1).putInt(rle.length)
                .putInt(2835).putInt(2835).putInt(2).putInt(0);
        b.putInt(0x0000FF).putInt(0x00FF00); // palette: blue, green (BGRA)
        b.put(rle);
        return b.array();
    }

    /** Malformed BMPs the JDK reader decoded anyway (dropping runs, black for missing colours): accepted and captioned before. */
    @Test
    void malformedBmpsAreRefused() throws IOException {
        byte[] good = rle8Bmp(4, 2, new byte[] {4, 1, 0, 0, 4, 0, 0, 1});
        BufferedImage img = LOADER.load(good, "ok.bmp");
        assertEquals(0x0000FF, img.getRGB(0, 0) & 0xFFFFFF); // rows are stored bottom-up
        assertEquals(0x00FF00, img.getRGB(0, 1) & 0xFFFFFF);
        assertTrue(refused(rle8Bmp(4, 2, new byte[] {6, 1, 0, 0, 4, 0, 0, 1}), "overflow.bmp").getMessage()
                .contains("RLE run goes past the end of row"));
        assertTrue(refused(rle8Bmp(4, 2, new byte[] {4, 1, 0, 0, 4, 0}), "noend.bmp").getMessage().contains("end-of-bitmap"));
        assertTrue(refused(rle8Bmp(4, 2, new byte[] {4, 7, 0, 0, 4, 0, 0, 1}), "index.bmp").getMessage()
                .contains("uses colour 7 of a 2-colour palette"));
        byte[] topDown = good.clone();
        ByteBuffer.wrap(topDown).order(ByteOrder.LITTLE_ENDIAN).putInt(22, -2);
        assertTrue(refused(topDown, "topdown.bmp").getMessage().contains("top-down"));
        byte[] bmp = ImageLoaderTest.encode(picture(), "bmp");
        assertTrue(refused(Arrays.copyOf(bmp, bmp.length - 200), "cut.bmp").getMessage().startsWith("cut.bmp: truncated BMP data"));
        byte[] planes = bmp.clone();
        planes[26] = 3;
        assertTrue(refused(planes, "planes.bmp").getMessage().contains("3 planes"));
    }

    /**
     * A BMP with a 56-byte (V3) header: ImageIO's reader does not implement it ("New BMP version
     * not implemented yet"), Commons Imaging decodes it.
     */
    @Test
    void commonsImagingDecodesWhatImageIoDoesNotImplement() throws IOException {
        byte[] v1 = ImageLoaderTest.encode(picture(), "bmp");
        ByteBuffer in = ByteBuffer.wrap(v1).order(ByteOrder.LITTLE_ENDIAN);
        int offset = in.getInt(10);
        ByteBuffer out = ByteBuffer.allocate(v1.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        out.put(v1, 0, 14 + 40);
        out.putInt(0x00FF0000).putInt(0x0000FF00).putInt(0x000000FF).putInt(0); // RGBA masks of the V3 header
        out.put(v1, 14 + 40, v1.length - 14 - 40);
        out.putInt(2, v1.length + 16).putInt(10, offset + 16).putInt(14, 56);
        byte[] v3 = out.array();
        assertSamePicture(picture(), LOADER.load(v3, "v3.bmp"), 0);
    }

    // ---- GIF ----

    /** A frame smaller than the logical screen is shown where the file places it, over white. */
    @Test
    void gifFrameIsPlacedOnItsScreen() throws IOException {
        // 8 rows: the JDK's GIF writer interlaces, and its reader loses a row of interlaced frames under 4 rows.
        BufferedImage small = new BufferedImage(4, 8, BufferedImage.TYPE_BYTE_INDEXED);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 4; x++) {
                small.setRGB(x, y, 0xFF0000);
            }
        }
        byte[] gif = ImageLoaderTest.encode(small, "gif");
        ByteBuffer b = ByteBuffer.wrap(gif).order(ByteOrder.LITTLE_ENDIAN);
        int descriptor = indexOf(gif, (byte) 0x2C);
        b.putShort(6, (short) 10).putShort(8, (short) 12);                  // screen 10x12
        b.putShort(descriptor + 1, (short) 5).putShort(descriptor + 3, (short) 4); // frame at (5,4)
        BufferedImage img = LOADER.load(gif, "placed.gif");
        assertEquals(10, img.getWidth());
        assertEquals(12, img.getHeight());
        for (int y = 4; y < 12; y++) {
            assertEquals(0xFF0000, img.getRGB(6, y) & 0xFFFFFF, "row " + y);
        }
        assertEquals(0xFFFFFF, img.getRGB(1, 1) & 0xFFFFFF);
        assertEquals(0xFFFFFF, img.getRGB(6, 3) & 0xFFFFFF);
        b.putShort(descriptor + 1, (short) 8); // now reaching past the right edge
        assertTrue(refused(gif, "outside.gif").getMessage().contains("reaches outside the 10x12 screen"));
    }

    private static int indexOf(byte[] b, byte value) {
        // The image descriptor follows the global colour table: header (13) + table.
        int table = (b[10] & 0x80) != 0 ? 3 << ((b[10] & 7) + 1) : 0;
        for (int i = 13 + table; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
            if (b[i] == 0x21) { // extension: skip its sub-blocks
                i += 2;
                while (b[i] != 0) {
                    i += (b[i] & 0xFF) + 1;
                }
            }
        }
        throw new IllegalStateException("no image descriptor");
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}

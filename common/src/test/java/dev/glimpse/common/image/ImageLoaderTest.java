package dev.glimpse.common.image;

import static dev.glimpse.common.image.ImageCorpusTest.assertNamesSource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.glimpse.common.GlimpseException;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageLoaderTest {
    private static final ImageLoader LOADER = new ImageLoader();

    @TempDir
    Path dir;

    static Path photo() {
        return OddImages.root().getParent().resolve("photos/000000000139.jpg");
    }

    @Test
    void decodesARealPhotoToIntRgb() {
        BufferedImage img = LOADER.load(photo());
        assertEquals(640, img.getWidth());
        assertEquals(426, img.getHeight());
        assertEquals(BufferedImage.TYPE_INT_RGB, img.getType());
        assertTrue(RgbConverter.isCompactIntRgb(img));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.05, 0.25, 0.5, 0.75, 0.95, 0.999})
    void truncatedPhotoIsAnErrorNotAGrayImage(double fraction) throws IOException {
        byte[] full = Files.readAllBytes(photo());
        byte[] cut = Arrays.copyOf(full, (int) (full.length * fraction));
        GlimpseException e = assertThrows(GlimpseException.class, () -> LOADER.load(cut, "photo.jpg"));
        assertNamesSource(e, "photo.jpg");
        assertTrue(e.getMessage().contains("JPEG"), e.getMessage());
    }

    @Test
    void truncatedPhotoMessageIsShort() throws IOException {
        byte[] full = Files.readAllBytes(photo());
        GlimpseException e = assertThrows(GlimpseException.class,
                () -> LOADER.load(Arrays.copyOf(full, full.length / 2), "photo.jpg"));
        assertEquals("photo.jpg: truncated JPEG data", e.getMessage());
    }

    @Test
    void emptyFileIsRefused() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.png"));
        GlimpseException e = assertThrows(GlimpseException.class, () -> LOADER.load(empty));
        assertEquals(empty + ": empty file, not an image", e.getMessage());
    }

    @Test
    void textNamedJpgIsRefused() throws IOException {
        Path text = Files.writeString(dir.resolve("notes.jpg"), "hello, this is not a picture\n");
        GlimpseException e = assertThrows(GlimpseException.class, () -> LOADER.load(text));
        assertNamesSource(e, text.toString());
        assertTrue(e.getMessage().contains("not a recognised image"), e.getMessage());
    }

    @Test
    void missingFileAndDirectoryAreRefused() {
        GlimpseException missing = assertThrows(GlimpseException.class, () -> LOADER.load(dir.resolve("nope.jpg")));
        assertEquals(dir.resolve("nope.jpg") + ": no such file", missing.getMessage());
        GlimpseException directory = assertThrows(GlimpseException.class, () -> LOADER.load(dir));
        assertNamesSource(directory, dir.toString());
    }

    @Test
    void oversizedFileIsRefusedBeforeReading() throws IOException {
        ImageLoader small = new ImageLoader(ImageLimits.DEFAULT.withMaxBytes(1000));
        byte[] bytes = Files.readAllBytes(photo());
        GlimpseException e = assertThrows(GlimpseException.class, () -> small.load(photo()));
        assertEquals(photo() + ": file of " + bytes.length + " bytes exceeds the limit of 1000 bytes", e.getMessage());
        assertThrows(GlimpseException.class, () -> small.load(bytes, "upload"));
    }

    /** A device reports size 0 and never ends; reading stops one byte past the limit. */
    @Test
    void endlessInputIsCutAtTheLimit() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.isReadable(zero));
        ImageLoader small = new ImageLoader(ImageLimits.DEFAULT.withMaxBytes(4096));
        GlimpseException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(GlimpseException.class, () -> small.load(zero)));
        assertEquals("/dev/zero: more than the limit of 4096 bytes", e.getMessage());
    }

    @Test
    void pixelLimitIsConfigurable() {
        ImageLoader tight = new ImageLoader(ImageLimits.DEFAULT.withMaxPixels(640L * 426 - 1));
        GlimpseException e = assertThrows(GlimpseException.class, () -> tight.load(photo()));
        assertEquals(photo() + ": 640x426 pixels exceeds the limit of 272639", e.getMessage());
        assertEquals(426, new ImageLoader(ImageLimits.DEFAULT.withMaxPixels(640L * 426)).load(photo()).getHeight());
    }

    /**
     * Headers claiming 100000x100000 pixels (40 GB as RGB) with a few bytes of data: refused from
     * the header alone, quickly, whatever the heap (the suite runs with 3 GB; 1 GB must work too).
     */
    @Test
    void hugeHeadersAreRefusedBeforeAllocation() throws IOException {
        byte[] png = png(100_000, 100_000);
        byte[] jpeg = jpegWithSize(60_000, 60_000);
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            GlimpseException p = assertThrows(GlimpseException.class, () -> LOADER.load(png, "big.png"));
            assertEquals("big.png: 100000x100000 pixels exceeds the limit of 89478485", p.getMessage());
            GlimpseException j = assertThrows(GlimpseException.class, () -> LOADER.load(jpeg, "big.jpg"));
            assertEquals("big.jpg: 60000x60000 pixels exceeds the limit of 89478485", j.getMessage());
        });
    }

    /** Without a pixel limit, the heap estimate still refuses the image before the decoder allocates it. */
    @Test
    void heapEstimateRefusesWhatCannotFit() throws IOException {
        ImageLoader unlimited = new ImageLoader(ImageLimits.DEFAULT.withMaxPixels(Long.MAX_VALUE));
        byte[] png = png(100_000, 100_000);
        GlimpseException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(GlimpseException.class, () -> unlimited.load(png, "big.png")));
        assertTrue(e.getMessage().startsWith("big.png: 100000x100000 pixels needs about "), e.getMessage());
    }

    @Test
    void smallGeneratedPngDecodes() throws IOException {
        BufferedImage img = LOADER.load(png(3, 2), "tiny.png");
        assertEquals(3, img.getWidth());
        assertEquals(2, img.getHeight());
        assertEquals(0x000000, img.getRGB(2, 1) & 0xFFFFFF);
    }

    @Test
    void badChunkChecksumIsRefused() throws IOException {
        byte[] good = png(3, 2);
        assertEquals(3, PngChunks.check(good).width());
        byte[] bad = good.clone();
        bad[29] ^= 1; // first byte of the IHDR checksum
        GlimpseException e = assertThrows(GlimpseException.class, () -> LOADER.load(bad, "bad.png"));
        assertEquals("bad.png: corrupt PNG data (bad checksum in IHDR chunk)", e.getMessage());
    }

    @Test
    void alphaIsCompositedOverWhite() throws IOException {
        BufferedImage argb = new BufferedImage(3, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00FF0000); // fully transparent red
        argb.setRGB(1, 0, 0x80FF0000); // half-transparent red
        argb.setRGB(2, 0, 0xFF0000FF); // opaque blue
        BufferedImage img = LOADER.load(encode(argb, "png"), "alpha.png");
        assertEquals(ImageLoader.BACKGROUND.getRGB() & 0xFFFFFF, img.getRGB(0, 0) & 0xFFFFFF);
        Color half = new Color(img.getRGB(1, 0));
        assertEquals(255, half.getRed(), 1);
        assertEquals(127, half.getGreen(), 2);
        assertEquals(127, half.getBlue(), 2);
        assertEquals(0x0000FF, img.getRGB(2, 0) & 0xFFFFFF);
    }

    /** Gray samples are gamma-encoded like sRGB: 128 stays 128 (Java2D's linear-gray path would give 188). */
    @Test
    void graySamplesMapStraightToRgb() throws IOException {
        byte[] gray8 = png(2, 1, 0, 8, new byte[] {0, (byte) 128, (byte) 255});
        byte[] grayAlpha8 = png(2, 1, 4, 8, new byte[] {0, (byte) 128, (byte) 255, (byte) 128, 0});
        byte[] gray16 = png(1, 1, 0, 16, new byte[] {0, (byte) 0x80, 0});
        byte[] grayAlpha16 = png(1, 1, 4, 16, new byte[] {0, (byte) 0x80, 0, (byte) 0xFF, (byte) 0xFF});
        assertEquals(0x808080, LOADER.load(gray8, "g8.png").getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0xFFFFFF, LOADER.load(gray8, "g8.png").getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0x808080, LOADER.load(gray16, "g16.png").getRGB(0, 0) & 0xFFFFFF);
        assertEquals(0x808080, LOADER.load(grayAlpha16, "ga16.png").getRGB(0, 0) & 0xFFFFFF);
        BufferedImage ga = LOADER.load(grayAlpha8, "ga8.png");
        assertEquals(0x808080, ga.getRGB(0, 0) & 0xFFFFFF, "opaque gray");
        assertEquals(0xFFFFFF, ga.getRGB(1, 0) & 0xFFFFFF, "transparent shows the background");
    }

    @Test
    void grayJpegBecomesNeutralRgb() {
        BufferedImage img = LOADER.load(OddImages.file("jpeg/pillow/hopper_gray.jpg"));
        int distinct = 0;
        int previous = -1;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                Color c = new Color(img.getRGB(x, y));
                assertEquals(c.getRed(), c.getGreen());
                assertEquals(c.getGreen(), c.getBlue());
                distinct += c.getRed() != previous ? 1 : 0;
                previous = c.getRed();
            }
        }
        assertTrue(distinct > 100, "a real picture, not a flat fill");
    }

    /** Stock ImageIO cannot read Adobe CMYK JPEGs; through TwelveMonkeys the colours are those of the RGB original. */
    @Test
    void cmykJpegDecodesWithColours() {
        BufferedImage img = LOADER.load(OddImages.file("jpeg/pillow/pil_sample_cmyk.jpg"));
        double[] m = ImageOrientationTest.blockMeans(img);
        double spread = 0;
        for (int i = 0; i < m.length; i += 3) {
            spread += Math.abs(m[i] - m[i + 1]) + Math.abs(m[i + 1] - m[i + 2]);
        }
        assertTrue(spread / (m.length / 3.0) > 5, "colour, not gray: " + spread);
    }

    @Test
    void everySupportedFormatDecodesTheSamePicture() throws IOException {
        BufferedImage rgb = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 16; x++) {
            for (int y = 0; y < 8; y++) {
                rgb.setRGB(x, y, x < 8 ? 0xCC2211 : 0x1133EE);
            }
        }
        for (String format : new String[] {"png", "bmp", "gif", "tiff", "jpeg"}) {
            BufferedImage img = LOADER.load(encode(rgb, format), "pic." + format);
            assertEquals(16, img.getWidth(), format);
            Color left = new Color(img.getRGB(2, 4));
            Color right = new Color(img.getRGB(13, 4));
            assertEquals(0xCC, left.getRed(), 12, format);
            assertEquals(0xEE, right.getBlue(), 12, format);
        }
    }

    @Test
    void formatsAreDetectedFromContent() {
        assertSame(ImageFormat.PNG, ImageFormat.detect(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}));
        assertSame(ImageFormat.WEBP, ImageFormat.detect("RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1)));
        assertSame(ImageFormat.JPEG, ImageFormat.detect(new byte[] {(byte) 0xFF, (byte) 0xD8}));
        assertNull(ImageFormat.detect("hello".getBytes(StandardCharsets.ISO_8859_1)));
        assertNull(ImageFormat.detect(new byte[] {(byte) 0xFF}));
        assertEquals("AVIF", ImageFormat.describeUnsupported("\0\0\0\034ftypavif".getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** The magic number is only a first guess: the format's header parser must accept the rest. */
    @Test
    void aMagicNumberAloneIsNotAnImage() {
        GlimpseException gif = assertThrows(GlimpseException.class,
                () -> LOADER.load("GIF88a, not really".getBytes(StandardCharsets.ISO_8859_1), "x.gif"));
        assertNamesSource(gif, "x.gif");
        assertTrue(gif.getMessage().contains("GIF"), gif.getMessage());
        GlimpseException jpeg = assertThrows(GlimpseException.class,
                () -> LOADER.load(new byte[] {(byte) 0xFF, (byte) 0xD8}, "x.jpg"));
        assertEquals("x.jpg: truncated JPEG data (the headers end before the image data)", jpeg.getMessage());
    }

    @Test
    void decoderWarningsAreRefusalsUnlessAboutHandledMetadata() {
        assertFalse(DecoderWarnings.harmless("Premature end of JPEG file"));
        assertFalse(DecoderWarnings.harmless("Corrupt JPEG data: bad Huffman code"));
        assertFalse(DecoderWarnings.harmless("Corrupt JPEG data: 5 extraneous bytes before marker 0xdb"));
        assertFalse(DecoderWarnings.harmless("Missing PhotometricInterpretation, determining fallback: 2"));
        assertTrue(DecoderWarnings.harmless("Bad 'ICC_PROFILE' chunk count: 1. Ignoring ICC profile."));
        assertTrue(DecoderWarnings.harmless("16 bit DQT encountered"));
        assertEquals("truncated JPEG data", DecoderWarnings.refusal("Premature end of JPEG file", ImageFormat.JPEG).getMessage());
        assertEquals("corrupt JPEG data (Corrupt JPEG data: bad Huffman code)",
                DecoderWarnings.refusal("Corrupt JPEG data: bad Huffman code", ImageFormat.JPEG).getMessage());
    }

    @Test
    void limitsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new ImageLimits(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ImageLimits(1, -1));
    }

    static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, format, out), "no writer for " + format);
        return out.toByteArray();
    }

    /** A valid 8-bit gray PNG of the given size whose IDAT holds only the first row when the image is huge (enough for header checks). */
    static byte[] png(int width, int height) throws IOException {
        boolean complete = (long) width * height <= 1_000_000;
        return png(width, height, 0, 8, new byte[complete ? (width + 1) * height : width + 1]);
    }

    /** A PNG with the given IHDR colour type and bit depth around {@code raw}: the scanlines, each with its filter byte. */
    static byte[] png(int width, int height, int colorType, int bitDepth, byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(out);
        data.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream h = new DataOutputStream(ihdr);
        h.writeInt(width);
        h.writeInt(height);
        h.write(new byte[] {(byte) bitDepth, (byte) colorType, 0, 0, 0});
        chunk(data, "IHDR", ihdr.toByteArray());
        Deflater deflater = new Deflater();
        deflater.setInput(raw);
        deflater.finish();
        byte[] buffer = new byte[raw.length + 64];
        int n = deflater.deflate(buffer);
        deflater.end();
        chunk(data, "IDAT", Arrays.copyOf(buffer, n));
        chunk(data, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] body) throws IOException {
        byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(body.length);
        out.write(typeBytes);
        out.write(body);
        CRC32 crc = new CRC32();
        crc.update(typeBytes);
        crc.update(body);
        out.writeInt((int) crc.getValue());
    }

    /** The real photo with the size fields of its SOF0 segment rewritten. */
    static byte[] jpegWithSize(int width, int height) throws IOException {
        byte[] jpeg = Files.readAllBytes(photo());
        int i = 2;
        while (i + 9 < jpeg.length && (jpeg[i] & 0xFF) == 0xFF) {
            int marker = jpeg[i + 1] & 0xFF;
            if (marker == 0xC0 || marker == 0xC2) {
                jpeg[i + 5] = (byte) (height >> 8);
                jpeg[i + 6] = (byte) height;
                jpeg[i + 7] = (byte) (width >> 8);
                jpeg[i + 8] = (byte) width;
                return jpeg;
            }
            i += 2 + (((jpeg[i + 2] & 0xFF) << 8) | (jpeg[i + 3] & 0xFF));
        }
        throw new IllegalStateException("no SOF marker in the test photo");
    }
}

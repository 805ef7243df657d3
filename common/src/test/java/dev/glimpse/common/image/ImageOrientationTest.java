package dev.glimpse.common.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * EXIF orientation: the exif-orientation-examples photos store one picture rotated/mirrored eight
 * ways with the matching tag, so every one must come out like the untagged/tag-1 reference.
 */
class ImageOrientationTest {
    private static final int GRID = 6;
    private static final ImageLoader LOADER = new ImageLoader();
    private static double[] landscape;
    private static double[] portrait;

    @BeforeAll
    static void references() {
        BufferedImage l = LOADER.load(OddImages.file("jpeg/exif-orientation/Landscape_0.jpg"));
        BufferedImage p = LOADER.load(OddImages.file("jpeg/exif-orientation/Portrait_1.jpg"));
        assertEquals(1800, l.getWidth());
        assertEquals(1200, l.getHeight());
        assertEquals(1200, p.getWidth());
        assertEquals(1800, p.getHeight());
        landscape = blockMeans(l);
        portrait = blockMeans(p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Landscape_2", "Landscape_4", "Landscape_6", "Landscape_8"})
    void landscapesComeOutUpright(String name) throws Exception {
        checkUpright(name, 1800, 1200, landscape);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Portrait_3", "Portrait_5", "Portrait_7"})
    void portraitsComeOutUpright(String name) throws Exception {
        checkUpright(name, 1200, 1800, portrait);
    }

    private static void checkUpright(String name, int width, int height, double[] reference) throws Exception {
        Path file = OddImages.file("jpeg/exif-orientation/" + name + ".jpg");
        int tag = Integer.parseInt(name.substring(name.indexOf('_') + 1));
        assertEquals(tag, exifTag(Files.readAllBytes(file)), name + " EXIF tag");

        BufferedImage img = LOADER.load(file);
        assertEquals(width, img.getWidth(), name);
        assertEquals(height, img.getHeight(), name);
        double upright = meanAbsDiff(blockMeans(img), reference);
        assertTrue(upright < 3, name + ": block colours differ from the reference by " + upright);

        // The comparison can tell orientations apart: the stored pixels, where they have the same
        // shape as the reference, differ clearly from it.
        BufferedImage stored = RgbConverter.toRgb(ImageIO.read(file.toFile()), ImageLoader.BACKGROUND);
        if (stored.getWidth() == width) {
            double raw = meanAbsDiff(blockMeans(stored), reference);
            assertTrue(raw > 3 * upright && raw > 10, name + ": stored " + raw + " vs upright " + upright);
        }
    }

    @Test
    void brokenExifIsIgnored() throws Exception {
        byte[] bytes = Files.readAllBytes(OddImages.file("jpeg/pillow/exif-ifd-offset.jpg"));
        assertEquals(Orientation.NORMAL, exifTag(bytes));
        assertEquals(200, LOADER.load(bytes, "exif-ifd-offset.jpg").getWidth());
    }

    @Test
    void noExifMeansNormal() {
        assertEquals(Orientation.NORMAL, Orientation.read(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, ImageFormat.JPEG, null));
        assertEquals(Orientation.NORMAL, Orientation.read(new byte[0], ImageFormat.TIFF, null));
        assertEquals(Orientation.NORMAL, Orientation.read(new byte[0], ImageFormat.PNG, new byte[] {1, 2, 3}));
    }

    /** EXIF table: where the stored top-left pixel (row 0, column 0) is seen. */
    @Test
    void storedTopLeftLandsWhereTheExifTableSays() {
        int w = 3;
        int h = 2;
        BufferedImage stored = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                stored.setRGB(x, y, y * w + x + 1);
            }
        }
        // orientation -> {x, y} of the stored top-left in the displayed image, as fractions (0 = left/top, 1 = right/bottom)
        int[][] corner = {null, {0, 0}, {1, 0}, {1, 1}, {0, 1}, {0, 0}, {1, 0}, {1, 1}, {0, 1}};
        for (int o = 1; o <= 8; o++) {
            BufferedImage shown = Orientation.apply(stored, o);
            boolean swapped = o >= 5;
            assertEquals(swapped ? h : w, shown.getWidth(), "orientation " + o);
            assertEquals(swapped ? w : h, shown.getHeight(), "orientation " + o);
            int x = corner[o][0] * (shown.getWidth() - 1);
            int y = corner[o][1] * (shown.getHeight() - 1);
            assertEquals(1, shown.getRGB(x, y) & 0xFFFFFF, "orientation " + o);
            // Every stored pixel appears exactly once.
            long sum = 0;
            for (int yy = 0; yy < shown.getHeight(); yy++) {
                for (int xx = 0; xx < shown.getWidth(); xx++) {
                    sum += shown.getRGB(xx, yy) & 0xFFFFFF;
                }
            }
            assertEquals(21, sum, "orientation " + o);
        }
    }

    /** The orientation Glimpse reads from a JPEG's EXIF block. */
    static int exifTag(byte[] jpeg) {
        return Orientation.read(jpeg, ImageFormat.JPEG, JpegStructure.check(jpeg).exif());
    }

    /** Mean colour of each cell of a GRID x GRID partition, RGB interleaved. */
    static double[] blockMeans(BufferedImage img) {
        double[] means = new double[GRID * GRID * 3];
        int[] counts = new int[GRID * GRID];
        for (int y = 0; y < img.getHeight(); y += 3) {
            int gy = y * GRID / img.getHeight();
            for (int x = 0; x < img.getWidth(); x += 3) {
                int cell = gy * GRID + x * GRID / img.getWidth();
                int p = img.getRGB(x, y);
                means[cell * 3] += (p >> 16) & 0xFF;
                means[cell * 3 + 1] += (p >> 8) & 0xFF;
                means[cell * 3 + 2] += p & 0xFF;
                counts[cell]++;
            }
        }
        for (int i = 0; i < means.length; i++) {
            means[i] /= counts[i / 3];
        }
        return means;
    }

    static double meanAbsDiff(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs(a[i] - b[i]);
        }
        return sum / a.length;
    }
}

package dev.glimpse.common.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.image.PreprocessSpec.ChannelOrder;
import dev.glimpse.common.image.PreprocessSpec.ResizeMode;
import dev.glimpse.common.image.PreprocessSpec.ValueScale;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PreprocessorTest {
    @BeforeAll
    static void backend() {
        Backend.init();
    }

    static BufferedImage filled(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    /** Three vertical stripes: red, green, blue, each a third of the width. */
    static BufferedImage stripes(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, x < w / 3 ? 0xFF0000 : x < 2 * w / 3 ? 0x00FF00 : 0x0000FF);
            }
        }
        return img;
    }

    @Test
    void shapesAndLayoutsAgree() {
        PreprocessSpec spec = PreprocessSpec.IMAGENET;
        List<BufferedImage> batch = List.of(stripes(300, 200), filled(50, 80, 0x336699));
        INDArray nhwc = Preprocessor.toNhwc(batch, spec); // [B, S, S, 3]
        INDArray nchw = Preprocessor.toNchw(batch, spec); // [B, 3, S, S]
        assertArrayEquals(new long[] {2, 224, 224, 3}, nhwc.shape());
        assertArrayEquals(new long[] {2, 3, 224, 224}, nchw.shape());
        assertEquals(DataType.FLOAT, nhwc.dataType());
        assertEquals(nhwc, nchw.permute(0, 2, 3, 1));
    }

    @Test
    void meanAndStdAreAppliedPerChannel() {
        int r = 200;
        int g = 100;
        int b = 50;
        BufferedImage img = filled(40, 30, (r << 16) | (g << 8) | b);

        PreprocessSpec imagenet = PreprocessSpec.IMAGENET;
        INDArray x = Preprocessor.toNhwc(List.of(img), imagenet); // [1, S, S, 3]
        float[] mean = imagenet.mean();
        float[] std = imagenet.std();
        int[] rgb = {r, g, b};
        for (int c = 0; c < 3; c++) {
            float expected = (rgb[c] / 255f - mean[c]) / std[c];
            assertEquals(expected, x.getFloat(0, 17, 101, c), 1e-4, "channel " + c);
            assertEquals(expected, x.getFloat(0, 0, 0, c), 1e-4, "corner, channel " + c);
        }

        PreprocessSpec vgg = PreprocessSpec.VGG_BGR;
        INDArray y = Preprocessor.toNchw(List.of(img), vgg); // [1, 3, S, S]
        float[] vggMean = vgg.mean();
        assertEquals(b - vggMean[0], y.getFloat(0, 0, 5, 5), 1e-3, "BGR: channel 0 is blue");
        assertEquals(g - vggMean[1], y.getFloat(0, 1, 5, 5), 1e-3);
        assertEquals(r - vggMean[2], y.getFloat(0, 2, 5, 5), 1e-3, "BGR: channel 2 is red");
    }

    @Test
    void channelOrderSwapsRedAndBlue() {
        BufferedImage img = filled(8, 8, 0xFF0000);
        PreprocessSpec rgb = new PreprocessSpec(4, ResizeMode.SQUASH, new float[3], new float[] {1, 1, 1}, ChannelOrder.RGB, ValueScale.BYTE);
        PreprocessSpec bgr = new PreprocessSpec(4, ResizeMode.SQUASH, new float[3], new float[] {1, 1, 1}, ChannelOrder.BGR, ValueScale.BYTE);
        INDArray a = Preprocessor.toNhwc(List.of(img), rgb); // [1, 4, 4, 3]
        INDArray c = Preprocessor.toNhwc(List.of(img), bgr); // [1, 4, 4, 3]
        assertEquals(255f, a.getFloat(0, 1, 1, 0), 1e-3);
        assertEquals(0f, a.getFloat(0, 1, 1, 2), 1e-3);
        assertEquals(0f, c.getFloat(0, 1, 1, 0), 1e-3);
        assertEquals(255f, c.getFloat(0, 1, 1, 2), 1e-3);
    }

    @Test
    void centreCropKeepsTheMiddleOfAWideImage() {
        BufferedImage wide = stripes(300, 100);
        PreprocessSpec crop = new PreprocessSpec(32, ResizeMode.CENTER_CROP, new float[3], new float[] {1, 1, 1}, ChannelOrder.RGB, ValueScale.BYTE);
        float[] px = Preprocessor.fitted(wide, crop);
        for (int p = 0; p < 32 * 32; p++) {
            assertEquals(0f, px[p * 3], 1e-3);
            assertEquals(255f, px[p * 3 + 1], 1e-3);
            assertEquals(0f, px[p * 3 + 2], 1e-3);
        }
        // A tall image is cropped top and bottom the same way.
        BufferedImage tall = new BufferedImage(100, 300, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 300; y++) {
            for (int x = 0; x < 100; x++) {
                tall.setRGB(x, y, y < 100 || y >= 200 ? 0xFFFFFF : 0x000000);
            }
        }
        float[] middle = Preprocessor.fitted(tall, PreprocessSpec.IMAGENET);
        for (float v : middle) {
            assertEquals(0f, v, 1e-3);
        }
    }

    @Test
    void squashKeepsTheWholeWideImage() {
        PreprocessSpec squash = new PreprocessSpec(30, ResizeMode.SQUASH, new float[3], new float[] {1, 1, 1}, ChannelOrder.RGB, ValueScale.BYTE);
        float[] px = Preprocessor.fitted(stripes(300, 100), squash);
        int row = 15 * 30 * 3;
        assertEquals(255f, px[row + 2 * 3], 1e-3, "left is red");
        assertEquals(255f, px[row + 15 * 3 + 1], 1e-3, "middle is green");
        assertEquals(255f, px[row + 27 * 3 + 2], 1e-3, "right is blue");
    }

    @Test
    void downscalingAveragesInsteadOfSkipping() {
        // One-pixel checkerboard: point sampling would give pure black or white, area averaging gives mid gray.
        BufferedImage board = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 480; y++) {
            for (int x = 0; x < 640; x++) {
                board.setRGB(x, y, ((x + y) & 1) == 0 ? 0xFFFFFF : 0);
            }
        }
        PreprocessSpec squash = new PreprocessSpec(100, ResizeMode.SQUASH, new float[3], new float[] {1, 1, 1}, ChannelOrder.RGB, ValueScale.BYTE);
        for (float v : Preprocessor.fitted(board, squash)) {
            assertEquals(127.5f, v, 8f);
        }
        // An exact halving is the 2x2 block mean.
        BufferedImage four = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
        four.setRGB(0, 0, 0x000000);
        four.setRGB(1, 0, 0x404040);
        four.setRGB(0, 1, 0x808080);
        four.setRGB(1, 1, 0xC0C0C0);
        float[] one = Preprocessor.fitted(four, new PreprocessSpec(1, ResizeMode.SQUASH, new float[3], new float[] {1, 1, 1}, ChannelOrder.RGB, ValueScale.BYTE));
        assertEquals((0 + 64 + 128 + 192) / 4f, one[0], 1e-3);
    }

    @Test
    void upscalingInterpolatesSmoothly() {
        BufferedImage two = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        two.setRGB(0, 0, 0x000000);
        two.setRGB(1, 0, 0xC8C8C8);
        float[] px = Preprocessor.fitted(two, new PreprocessSpec(8, ResizeMode.SQUASH, new float[3], new float[] {1, 1, 1}, ChannelOrder.RGB, ValueScale.BYTE));
        assertEquals(0f, px[0], 1e-3, "edge keeps the source value");
        assertEquals(200f, px[7 * 3], 1e-3);
        for (int x = 1; x < 8; x++) {
            assertTrue(px[x * 3] >= px[(x - 1) * 3], "monotone ramp");
        }
        assertTrue(px[3 * 3] > 0 && px[3 * 3] < 200, "interpolated, not nearest");
    }

    @Test
    void acceptsAnyImageType() {
        BufferedImage gray = new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY);
        INDArray x = Preprocessor.toNhwc(List.of(gray), PreprocessSpec.plainRgb(5)); // [1, 5, 5, 3]
        assertEquals(0f, x.sumNumber().floatValue(), 1e-6);
    }

    @Test
    void specRoundTripsThroughJson() throws Exception {
        for (PreprocessSpec spec : List.of(PreprocessSpec.IMAGENET, PreprocessSpec.VGG_BGR, PreprocessSpec.plainRgb(64))) {
            String json = Json.MAPPER.writeValueAsString(spec);
            PreprocessSpec back = Json.MAPPER.readValue(json, PreprocessSpec.class);
            assertEquals(spec, back, json);
            assertEquals(spec.hashCode(), back.hashCode());
        }
        assertNotEquals(PreprocessSpec.IMAGENET, PreprocessSpec.VGG_BGR);
        assertTrue(Json.MAPPER.writeValueAsString(PreprocessSpec.VGG_BGR).contains("\"BGR\""));
    }

    @Test
    void specIsValidatedAndImmutable() {
        assertThrows(IllegalArgumentException.class,
                () -> new PreprocessSpec(0, ResizeMode.SQUASH, new float[3], new float[] {1, 1, 1}, ChannelOrder.RGB, ValueScale.UNIT));
        assertThrows(IllegalArgumentException.class,
                () -> new PreprocessSpec(8, ResizeMode.SQUASH, new float[2], new float[] {1, 1, 1}, ChannelOrder.RGB, ValueScale.UNIT));
        assertThrows(IllegalArgumentException.class,
                () -> new PreprocessSpec(8, ResizeMode.SQUASH, new float[3], new float[] {1, 0, 1}, ChannelOrder.RGB, ValueScale.UNIT));
        PreprocessSpec.IMAGENET.mean()[0] = 99f;
        assertEquals(0.485f, PreprocessSpec.IMAGENET.mean()[0], 0f);
    }

    @Test
    void rejectsAnEmptyBatch() {
        assertThrows(IllegalArgumentException.class, () -> Preprocessor.toNhwc(List.of(), PreprocessSpec.IMAGENET));
    }
}

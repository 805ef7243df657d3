package dev.glimpse.common.image;

import java.awt.image.BufferedImage;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Turns decoded images into a normalised float batch for a network, following a {@link PreprocessSpec}.
 * Pixels are written into one float[] and handed to ND4J in a single create: no per-pixel INDArray calls.
 */
public final class Preprocessor {
    private Preprocessor() {}

    /** Batch in channels-last layout. */
    public static INDArray toNhwc(List<BufferedImage> images, PreprocessSpec spec) {
        int s = spec.inputSize();
        float[] data = new float[checkedSize(images, s)];
        for (int b = 0; b < images.size(); b++) {
            write(images.get(b), spec, data, b, true);
        }
        return Nd4j.create(data, new long[] {images.size(), s, s, 3}, 'c'); // [B, S, S, 3]
    }

    /** Batch in channels-first layout (DL4J's convolution default). */
    public static INDArray toNchw(List<BufferedImage> images, PreprocessSpec spec) {
        int s = spec.inputSize();
        float[] data = new float[checkedSize(images, s)];
        for (int b = 0; b < images.size(); b++) {
            write(images.get(b), spec, data, b, false);
        }
        return Nd4j.create(data, new long[] {images.size(), 3, s, s}, 'c'); // [B, 3, S, S]
    }

    /**
     * The image fitted to the spec's square, before normalisation: {@code [S][S][3]} flattened,
     * RGB, values 0..255. Shared by both layouts and handy to look at in tests.
     */
    static float[] fitted(BufferedImage image, PreprocessSpec spec) {
        BufferedImage rgb = RgbConverter.toRgb(image, ImageLoader.BACKGROUND);
        int s = spec.inputSize();
        double w = rgb.getWidth();
        double h = rgb.getHeight();
        // Scaling the shorter side to S/f and cutting the centre S x S is the same as cutting the
        // centre square of side f*shorter from the source and scaling that to S x S.
        FitWindow win = spec.resize().window(w, h);
        return Resampler.resample(rgb, win.x(), win.y(), win.width(), win.height(), s, s);
    }

    private static void write(BufferedImage image, PreprocessSpec spec, float[] data, int b, boolean channelsLast) {
        int s = spec.inputSize();
        int plane = s * s;
        float[] rgb = fitted(image, spec);
        float[] mean = spec.mean();
        float[] std = spec.std();
        float divisor = spec.valueScale().divisor;
        boolean bgr = spec.channelOrder() == PreprocessSpec.ChannelOrder.BGR;
        int base = b * plane * 3;
        for (int c = 0; c < 3; c++) {
            int source = bgr ? 2 - c : c;
            float m = mean[c];
            float inv = 1f / std[c];
            for (int p = 0; p < plane; p++) {
                float v = (rgb[p * 3 + source] / divisor - m) * inv;
                data[channelsLast ? base + p * 3 + c : base + c * plane + p] = v;
            }
        }
    }

    private static int checkedSize(List<BufferedImage> images, int s) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no images to preprocess");
        }
        long size = (long) images.size() * s * s * 3;
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batch of " + images.size() + " images at " + s + "x" + s + " is too large for one array");
        }
        return (int) size;
    }
}

package dev.glimpse.common.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * Resamples a rectangle of a TYPE_INT_RGB image to a given size, straight into floats (0..255,
 * RGB interleaved) so no precision is lost to an 8-bit intermediate. Separable: each output pixel
 * of a shrinking axis is the area average of the source pixels it covers (what PIL's BOX filter
 * and OpenCV's INTER_AREA do; no aliasing however large the reduction), each output pixel of a
 * growing axis is a bilinear blend of its two neighbours (pixel centres aligned, edges clamped).
 */
final class Resampler {
    private Resampler() {}

    /** Source pixels and weights that make up each output position along one axis. */
    record Taps(int[][] index, float[][] weight) {
        int size() {
            return index.length;
        }
    }

    /**
     * Output {@code outW x outH} from the source rectangle starting at (x0, y0) of size w x h
     * (fractional bounds allowed: a centre crop rarely falls on whole pixels). Returns
     * {@code [outH][outW][3]} flattened, values 0..255 in RGB order.
     */
    static float[] resample(BufferedImage rgb, double x0, double y0, double w, double h, int outW, int outH) {
        if (!RgbConverter.isCompactIntRgb(rgb)) {
            throw new IllegalArgumentException("expected a compact TYPE_INT_RGB image");
        }
        int srcW = rgb.getWidth();
        int[] pixels = ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
        Taps horizontal = taps(x0, w, srcW, outW);
        Taps vertical = taps(y0, h, rgb.getHeight(), outH);

        int minRow = Integer.MAX_VALUE;
        int maxRow = -1;
        for (int[] rows : vertical.index()) {
            for (int r : rows) {
                minRow = Math.min(minRow, r);
                maxRow = Math.max(maxRow, r);
            }
        }
        // Horizontal pass over only the rows the vertical pass reads.
        int rowFloats = outW * 3;
        float[] rows = new float[(maxRow - minRow + 1) * rowFloats];
        for (int y = minRow; y <= maxRow; y++) {
            int srcRow = y * srcW;
            int dst = (y - minRow) * rowFloats;
            for (int i = 0; i < outW; i++) {
                int[] idx = horizontal.index()[i];
                float[] wt = horizontal.weight()[i];
                float r = 0;
                float g = 0;
                float b = 0;
                for (int k = 0; k < idx.length; k++) {
                    int p = pixels[srcRow + idx[k]];
                    float f = wt[k];
                    r += f * ((p >> 16) & 0xFF);
                    g += f * ((p >> 8) & 0xFF);
                    b += f * (p & 0xFF);
                }
                rows[dst++] = r;
                rows[dst++] = g;
                rows[dst++] = b;
            }
        }
        float[] out = new float[outH * rowFloats];
        for (int o = 0; o < outH; o++) {
            int[] idx = vertical.index()[o];
            float[] wt = vertical.weight()[o];
            int dst = o * rowFloats;
            for (int k = 0; k < idx.length; k++) {
                int src = (idx[k] - minRow) * rowFloats;
                float f = wt[k];
                for (int j = 0; j < rowFloats; j++) {
                    out[dst + j] += f * rows[src + j];
                }
            }
        }
        return out;
    }

    /** Taps mapping the source interval [start, start+length) of an axis with {@code limit} pixels onto {@code out} pixels. */
    static Taps taps(double start, double length, int limit, int out) {
        double scale = length / out;
        int[][] index = new int[out][];
        float[][] weight = new float[out][];
        for (int i = 0; i < out; i++) {
            if (scale >= 1.0) {
                double a = start + i * scale;
                double b = a + scale;
                int first = (int) Math.floor(a);
                int last = (int) Math.ceil(b) - 1;
                int n = last - first + 1;
                int[] idx = new int[n];
                float[] wt = new float[n];
                double sum = 0;
                for (int k = 0; k < n; k++) {
                    int j = first + k;
                    double overlap = Math.min(b, j + 1) - Math.max(a, j);
                    idx[k] = clamp(j, limit);
                    wt[k] = (float) Math.max(0, overlap);
                    sum += wt[k];
                }
                for (int k = 0; k < n; k++) {
                    wt[k] = (float) (wt[k] / sum);
                }
                index[i] = idx;
                weight[i] = wt;
            } else {
                double centre = start + (i + 0.5) * scale - 0.5;
                int j = (int) Math.floor(centre);
                float t = (float) (centre - j);
                index[i] = new int[] {clamp(j, limit), clamp(j + 1, limit)};
                weight[i] = new float[] {1f - t, t};
            }
        }
        return new Taps(index, weight);
    }

    private static int clamp(int j, int limit) {
        return j < 0 ? 0 : Math.min(j, limit - 1);
    }
}

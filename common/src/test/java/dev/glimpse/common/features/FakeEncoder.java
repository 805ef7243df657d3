package dev.glimpse.common.features;

import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.image.PreprocessSpec;
import java.awt.image.BufferedImage;
import java.util.List;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny deterministic encoder: features are functions of the image's top-left pixel, so a test
 * can recompute what any record must hold. Counts calls and images.
 */
final class FakeEncoder implements ImageEncoder {
    static final int F = 4;
    static final int R = 2;
    static final int C = 3;
    int calls;
    int images;
    private final EncoderInfo info;

    FakeEncoder(String name) {
        info = new EncoderInfo(name, F, 1, R, C, PreprocessSpec.plainRgb(8), true, "random-init seed=1", null,
                "grid", "mean(grid)", "none");
    }

    @Override
    public EncoderInfo info() {
        return info;
    }

    /** The features of an image whose top-left pixel has red value {@code red}. */
    static float[] pooled(int red) {
        float[] f = new float[F];
        for (int i = 0; i < F; i++) {
            f[i] = red / 8f + i - 1.1f * i * i; // not all exactly representable in half
        }
        return f;
    }

    static float[] grid(int red) {
        float[] g = new float[R * C];
        for (int i = 0; i < g.length; i++) {
            g[i] = (red - 100) * 0.25f * (i + 1);
        }
        return g;
    }

    @Override
    public EncodedBatch encode(List<BufferedImage> batch) {
        calls++;
        images += batch.size();
        float[] p = new float[batch.size() * F];
        float[] g = new float[batch.size() * R * C];
        for (int b = 0; b < batch.size(); b++) {
            int red = (batch.get(b).getRGB(0, 0) >> 16) & 0xFF;
            System.arraycopy(pooled(red), 0, p, b * F, F);
            System.arraycopy(grid(red), 0, g, b * R * C, R * C);
        }
        return new EncodedBatch(Nd4j.create(p, new long[] {batch.size(), F}, 'c'),
                Nd4j.create(g, new long[] {batch.size(), R, C}, 'c'));
    }

    @Override
    public void close() {}
}

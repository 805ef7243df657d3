package dev.glimpse.common.encoder;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Turns images into one normalised float batch as an {@link EncoderInput} describes. */
final class ImageBatcher {
    private final EncoderInput spec;

    ImageBatcher(EncoderInput spec) {
        if (!"stretch".equals(spec.resizeMode())) {
            throw new IllegalArgumentException("unsupported resize mode " + spec.resizeMode());
        }
        this.spec = spec;
    }

    /** NCHW batch [B, 3, S, S]. */
    INDArray nchw(List<BufferedImage> images) {
        int s = spec.size();
        int plane = s * s;
        float[] data = new float[images.size() * 3 * plane];
        int[] order = channelIndices();
        int[] argb = new int[plane];
        for (int b = 0; b < images.size(); b++) {
            resized(images.get(b)).getRGB(0, 0, s, s, argb, 0, s);
            int base = b * 3 * plane;
            for (int c = 0; c < 3; c++) {
                int shift = 16 - 8 * order[c]; // R=16, G=8, B=0
                float scale = spec.valueScale() / spec.std()[c];
                float offset = spec.mean()[c] / spec.std()[c];
                int o = base + c * plane;
                for (int p = 0; p < plane; p++) {
                    data[o + p] = ((argb[p] >> shift) & 0xFF) * scale - offset;
                }
            }
        }
        return Nd4j.create(data, new long[] {images.size(), 3, s, s}, 'c'); // [B, 3, S, S]
    }

    /** For each network channel, the RGB index (0=R, 1=G, 2=B) it reads. */
    private int[] channelIndices() {
        return switch (spec.channelOrder()) {
            case "RGB" -> new int[] {0, 1, 2};
            case "BGR" -> new int[] {2, 1, 0};
            default -> throw new IllegalArgumentException("unsupported channel order " + spec.channelOrder());
        };
    }

    private BufferedImage resized(BufferedImage src) {
        int s = spec.size();
        if (src.getWidth() == s && src.getHeight() == s && src.getType() == BufferedImage.TYPE_INT_RGB) {
            return src;
        }
        BufferedImage out = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(src, 0, 0, s, s, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}

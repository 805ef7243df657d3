package dev.glimpse.common.encoder;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Centring and scaling applied to random-init features. Untrained ReLU features are all
 * positive with a large shared component: on 72 synthetic shape images, random-init SqueezeNet's
 * pooled vectors had a mean pairwise cosine of 0.995 (nearly one vector, though nearest
 * neighbours still shared colour 100% and position 100% of the time); after subtracting the
 * per-channel mean it was 0.03. The mean comes from a fixed set of synthetic calibration images,
 * so it depends only on the network and seed; the scale gives the centred grid unit RMS (He-
 * initialised ResNet50 reaches ~1e4, past float16's 65504). Trained weights get {@link #NONE}.
 */
record RandomInitCentering(INDArray gridMean, INDArray pooledMean, float scale, String description) {
    static final RandomInitCentering NONE = new RandomInitCentering(null, null, 1f, "none");
    static final int CALIBRATION_IMAGES = 16;

    EncodedBatch apply(INDArray grid, INDArray pooled) {
        if (gridMean != null) {
            long[] shape = grid.shape();
            grid = grid.reshape('c', shape[0] * shape[1], shape[2]).subiRowVector(gridMean) // [B*R, C]
                    .reshape('c', shape); // [B, R, C]
            pooled.subiRowVector(pooledMean);
        }
        if (scale != 1f) {
            grid.muli(scale);
            pooled.muli(scale);
        }
        return new EncodedBatch(pooled, grid);
    }

    /** Measures the calibration statistics through {@code raw} (an encoder applying no norm). */
    static RandomInitCentering calibrate(ImageEncoder raw) {
        EncodedBatch b = raw.encode(calibrationImages());
        INDArray grid = b.grid(); // [N, R, C]
        long c = grid.size(2);
        INDArray rows = grid.reshape('c', grid.size(0) * grid.size(1), c); // [N*R, C]
        INDArray gridMean = rows.mean(0).reshape(1, c); // [1, C]
        INDArray pooledMean = b.pooled().mean(0).reshape(1, b.pooled().size(1)); // [1, F]
        INDArray centred = rows.subRowVector(gridMean);
        double rms = centred.norm2Number().doubleValue() / Math.sqrt(centred.length());
        if (!(rms > 0) || Double.isInfinite(rms)) {
            throw new IllegalStateException(raw.info().name() + " gives degenerate random-init features (RMS " + rms + ")");
        }
        float scale = (float) (1.0 / rms);
        return new RandomInitCentering(gridMean, pooledMean, scale, description(CALIBRATION_IMAGES));
    }

    /**
     * What the centring is, without its numbers: they come out of multithreaded float reductions
     * and differ in the last digits between machines and thread counts, so they cannot be part of
     * an encoder's identity (a model trained on one machine must load on another).
     */
    static String description(int images) {
        return "centred on " + images + " synthetic calibration images, scaled to unit RMS";
    }

    /** Coloured shapes on plain backgrounds, fixed seed: the kind of picture the offline demo uses. */
    static List<BufferedImage> calibrationImages() {
        SplittableRandom rnd = new SplittableRandom(20261123L);
        List<BufferedImage> images = new ArrayList<>();
        for (int i = 0; i < CALIBRATION_IMAGES; i++) {
            BufferedImage img = new BufferedImage(96, 96, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)));
            g.fillRect(0, 0, 96, 96);
            for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
                g.setColor(new Color(rnd.nextInt(256), rnd.nextInt(256), rnd.nextInt(256)));
                int x = rnd.nextInt(70);
                int y = rnd.nextInt(70);
                int s = 16 + rnd.nextInt(30);
                switch (rnd.nextInt(3)) {
                    case 0 -> g.fillOval(x, y, s, s);
                    case 1 -> g.fillRect(x, y, s, s);
                    default -> g.fillPolygon(new int[] {x, x + s / 2, x + s}, new int[] {y + s, y, y + s}, 3);
                }
            }
            g.dispose();
            images.add(img);
        }
        return images;
    }
}

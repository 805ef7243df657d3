package dev.glimpse.datasets.scenes;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * Draws a {@link Scene}: a muted textured background (stripes, speckle, gradient or checks, so
 * that "background" is never a flat colour a model could mistake for an object), then the
 * objects as anti-aliased filled outlines with a little colour jitter.
 */
final class SceneRenderer {
    private SceneRenderer() {}

    static BufferedImage render(Scene scene, SplittableRandom rng) {
        int size = scene.size();
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, size, size, background(scene.background(), size, rng), 0, size);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            for (int i = 0; i < scene.objects().size(); i++) {
                SceneObject o = scene.objects().get(i);
                double[] cell = scene.cells().get(i);
                g.setColor(new Color(jitter(o.color().rgb(), 12, rng)));
                g.fill(o.shape().outline(cell[0], cell[1], cell[2]));
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static int[] background(BackgroundKind kind, int size, SplittableRandom rng) {
        int a = muted(rng);
        int b = muted(rng);
        // Keep the two texture colours apart in brightness so the texture is visible.
        while (Math.abs(luma(a) - luma(b)) < 30) {
            b = muted(rng);
        }
        int[] px = new int[size * size];
        switch (kind) {
            case STRIPED -> {
                double width = Math.max(2, size * (0.03 + 0.05 * rng.nextDouble()));
                double angle = rng.nextInt(4) * Math.PI / 4;
                double cos = Math.cos(angle);
                double sin = Math.sin(angle);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        long band = (long) Math.floor((x * cos + y * sin) / width);
                        px[y * size + x] = (band & 1) == 0 ? a : b;
                    }
                }
            }
            case SPECKLED -> {
                for (int i = 0; i < px.length; i++) {
                    px[i] = rng.nextInt(5) == 0 ? b : a;
                }
            }
            case GRADIENT -> {
                double angle = rng.nextDouble() * 2 * Math.PI;
                double cos = Math.cos(angle);
                double sin = Math.sin(angle);
                double half = size / 2.0;
                double span = size * 0.75;
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        double t = ((x - half) * cos + (y - half) * sin) / span + 0.5;
                        px[y * size + x] = mix(a, b, Math.min(1, Math.max(0, t)));
                    }
                }
            }
            case CHECKERED -> {
                int cell = Math.max(2, (int) Math.round(size * (0.06 + 0.06 * rng.nextDouble())));
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        px[y * size + x] = ((x / cell + y / cell) & 1) == 0 ? a : b;
                    }
                }
            }
        }
        for (int i = 0; i < px.length; i++) {
            px[i] = jitter(px[i], 6, rng);
        }
        return px;
    }

    /** Low saturation, mid brightness: clearly apart from the saturated, white and black objects. */
    private static int muted(SplittableRandom rng) {
        float hue = (float) rng.nextDouble();
        float saturation = (float) (0.06 + 0.22 * rng.nextDouble());
        float brightness = (float) (0.38 + 0.30 * rng.nextDouble());
        return Color.HSBtoRGB(hue, saturation, brightness) & 0xffffff;
    }

    private static int luma(int rgb) {
        return (299 * ((rgb >> 16) & 255) + 587 * ((rgb >> 8) & 255) + 114 * (rgb & 255)) / 1000;
    }

    private static int mix(int a, int b, double t) {
        int r = (int) Math.round(((a >> 16) & 255) * (1 - t) + ((b >> 16) & 255) * t);
        int g = (int) Math.round(((a >> 8) & 255) * (1 - t) + ((b >> 8) & 255) * t);
        int bl = (int) Math.round((a & 255) * (1 - t) + (b & 255) * t);
        return (r << 16) | (g << 8) | bl;
    }

    private static int jitter(int rgb, int amount, SplittableRandom rng) {
        int d = rng.nextInt(2 * amount + 1) - amount;
        int r = clamp(((rgb >> 16) & 255) + d);
        int g = clamp(((rgb >> 8) & 255) + d);
        int b = clamp((rgb & 255) + d);
        return (r << 16) | (g << 8) | b;
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}

package dev.glimpse.captioning.model;

import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.io.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * Draws where the model looked for each word: one panel per word with the attention weights over
 * the encoder grid, upsampled bilinearly to the panel and laid over the image as a heat map,
 * plus the plain image first. Java2D only.
 */
public final class AttentionMapImage {
    static final int PANEL = 224;
    static final int LABEL = 22;
    static final int COLUMNS = 5;
    static final int GAP = 6;

    private AttentionMapImage() {}

    /**
     * @param resize how the encoder fitted the image into its square input: the grid covers
     *               the centre crop for the crop modes, the whole image when squashed
     */
    public static BufferedImage render(BufferedImage image, Caption caption, PreprocessSpec.ResizeMode resize) {
        if (caption.attention() == null) {
            throw new IllegalArgumentException("the model has no attention to draw");
        }
        int words = caption.tokens().size();
        int panels = words + 1;
        int cols = Math.min(COLUMNS, panels);
        int rows = (panels + cols - 1) / cols;
        int cellW = PANEL + GAP;
        int cellH = PANEL + LABEL + GAP;
        BufferedImage out = new BufferedImage(cols * cellW + GAP, rows * cellH + GAP, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            BufferedImage base = seenByEncoder(image, resize);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
            for (int p = 0; p < panels; p++) {
                int x = GAP + (p % cols) * cellW;
                int y = GAP + (p / cols) * cellH;
                String label;
                if (p == 0) {
                    g.drawImage(base, x, y, null);
                    label = "(image)";
                } else {
                    g.drawImage(overlay(base, caption.attention()[p - 1], caption.gridRows(), caption.gridCols()), x, y, null);
                    label = caption.tokens().get(p - 1);
                }
                g.setColor(Color.BLACK);
                FontMetrics fm = g.getFontMetrics();
                g.drawString(label, x + (PANEL - fm.stringWidth(label)) / 2, y + PANEL + fm.getAscent() + 2);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** The part of the image the encoder's grid covers, scaled to one panel. */
    static BufferedImage seenByEncoder(BufferedImage image, PreprocessSpec.ResizeMode resize) {
        // The same window the preprocessor scales into the network's input (and the scene check lays the grid over).
        dev.glimpse.common.image.FitWindow win = resize.window(image.getWidth(), image.getHeight());
        int sx = (int) Math.round(win.x());
        int sy = (int) Math.round(win.y());
        int ex = (int) Math.round(win.x() + win.width());
        int ey = (int) Math.round(win.y() + win.height());
        BufferedImage base = new BufferedImage(PANEL, PANEL, BufferedImage.TYPE_INT_RGB);
        Graphics2D bg = base.createGraphics();
        bg.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        bg.drawImage(image, 0, 0, PANEL, PANEL, sx, sy, ex, ey, null);
        bg.dispose();
        return base;
    }

    public static void write(Path png, BufferedImage image, Caption caption, PreprocessSpec.ResizeMode resize)
            throws IOException {
        BufferedImage img = render(image, caption, resize);
        AtomicFiles.write(png, o -> {
            if (!ImageIO.write(img, "png", o)) {
                throw new IOException("no PNG writer");
            }
        });
    }

    /** The image darkened where the weights are low, coloured by weight (blue low, red high). */
    static BufferedImage overlay(BufferedImage base, float[] weights, int gridRows, int gridCols) {
        if (weights.length != gridRows * gridCols) {
            throw new IllegalArgumentException("attention has " + weights.length + " weights for a "
                    + gridRows + "x" + gridCols + " grid");
        }
        float max = 0;
        for (float w : weights) {
            max = Math.max(max, w);
        }
        float scale = max > 0 ? 1 / max : 0;
        BufferedImage out = new BufferedImage(PANEL, PANEL, BufferedImage.TYPE_INT_RGB);
        for (int py = 0; py < PANEL; py++) {
            // Cell centres sit at (i + 0.5) / n of the image: bilinear between neighbouring centres.
            double gy = (py + 0.5) * gridRows / PANEL - 0.5;
            int y0 = clamp((int) Math.floor(gy), gridRows);
            int y1 = clamp(y0 + 1, gridRows);
            double fy = Math.min(1, Math.max(0, gy - y0));
            for (int px = 0; px < PANEL; px++) {
                double gx = (px + 0.5) * gridCols / PANEL - 0.5;
                int x0 = clamp((int) Math.floor(gx), gridCols);
                int x1 = clamp(x0 + 1, gridCols);
                double fx = Math.min(1, Math.max(0, gx - x0));
                double v = (1 - fy) * ((1 - fx) * weights[y0 * gridCols + x0] + fx * weights[y0 * gridCols + x1])
                        + fy * ((1 - fx) * weights[y1 * gridCols + x0] + fx * weights[y1 * gridCols + x1]);
                v *= scale;
                int rgb = base.getRGB(px, py);
                int heat = heat(v);
                double keep = 0.35 + 0.65 * v; // the image shows through where attention is high
                int r = (int) (((rgb >> 16) & 255) * keep * 0.6 + ((heat >> 16) & 255) * 0.4);
                int gr = (int) (((rgb >> 8) & 255) * keep * 0.6 + ((heat >> 8) & 255) * 0.4);
                int b = (int) ((rgb & 255) * keep * 0.6 + (heat & 255) * 0.4);
                out.setRGB(px, py, (r << 16) | (gr << 8) | b);
            }
        }
        return out;
    }

    private static int clamp(int i, int n) {
        return Math.max(0, Math.min(n - 1, i));
    }

    /** A jet-like colour map: 0 blue, 0.5 green-yellow, 1 red. */
    static int heat(double v) {
        v = Math.max(0, Math.min(1, v));
        double r = Math.max(0, Math.min(1, 1.5 - Math.abs(4 * v - 3)));
        double g = Math.max(0, Math.min(1, 1.5 - Math.abs(4 * v - 2)));
        double b = Math.max(0, Math.min(1, 1.5 - Math.abs(4 * v - 1)));
        return ((int) (r * 255) << 16) | ((int) (g * 255) << 8) | (int) (b * 255);
    }
}

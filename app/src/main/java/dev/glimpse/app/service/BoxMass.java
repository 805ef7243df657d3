package dev.glimpse.app.service;

import dev.glimpse.common.image.FitWindow;

/**
 * How much of an attention map falls inside a box. The encoder's grid tiles the window of the image
 * it was fed (the whole image when squashed, the centre square when cropped) in equal cells; a cell
 * counts by the share of its area inside the box, so a box covering half a cell gets half its weight.
 */
final class BoxMass {
    private BoxMass() {}

    /**
     * Per grid cell (row-major, {@code rows x cols} over {@code window}) the share of its area that
     * lies inside the box {@code [x, y, w, h]} (same pixel coordinates as the window), 0..1.
     */
    static double[] cellShares(FitWindow window, int rows, int cols, double x, double y, double w, double h) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException("grid must have at least one cell: " + rows + "x" + cols);
        }
        double cw = window.width() / cols;
        double ch = window.height() / rows;
        double[] shares = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double oy = overlap(window.y() + r * ch, window.y() + (r + 1) * ch, y, y + h);
            for (int c = 0; c < cols; c++) {
                double ox = overlap(window.x() + c * cw, window.x() + (c + 1) * cw, x, x + w);
                shares[r * cols + c] = ox * oy / (cw * ch);
            }
        }
        return shares;
    }

    private static double overlap(double a0, double a1, double b0, double b1) {
        return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
    }

    /** The attention weights, each times its cell's share inside the box, summed. */
    static double mass(float[] weights, double[] shares) {
        if (weights.length != shares.length) {
            throw new IllegalArgumentException(weights.length + " attention weights for " + shares.length + " cells");
        }
        double m = 0;
        for (int i = 0; i < weights.length; i++) {
            m += weights[i] * shares[i];
        }
        return m;
    }

    /** What uniform attention would put inside the box: the box's share of the window. */
    static double uniform(double[] shares) {
        double sum = 0;
        for (double s : shares) {
            sum += s;
        }
        return sum / shares.length;
    }
}

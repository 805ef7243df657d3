package dev.glimpse.datasets.scenes;

import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Decides what a scene contains and where, before anything is drawn.
 *
 * <p>The plan is built so that questions cannot be answered from the text alone: a quarter of
 * the scenes hold a single object (for the attention check); the rest repeat one shape
 * {@code k} times with {@code k} uniform in 1..4 (so "how many triangles" answers are balanced),
 * plus other shapes up to 2..4 objects. Colours are independent and uniform, shapes symmetric
 * under relabelling, positions uniform: every colour, shape and left/right answer is equally
 * likely for any given question text.
 */
final class ScenePlanner {
    static final double SINGLE_FRACTION = 0.25;
    static final int MAX_OBJECTS = 4;
    /** P(n objects) implied by the plan, index 1..4; used to balance "how many shapes" answers. */
    static final double[] OBJECT_COUNT_PROBABILITY = objectCountProbability();

    private ScenePlanner() {}

    static Scene plan(long id, String split, String fileName, int size, SplittableRandom rng) {
        BackgroundKind background = pick(BackgroundKind.values(), rng);
        ShapeKind[] all = ShapeKind.values();
        List<ShapeKind> shapes = new ArrayList<>(MAX_OBJECTS);
        ShapeKind countShape = null;
        int countTarget = 0;
        if (rng.nextDouble() < SINGLE_FRACTION) {
            shapes.add(pick(all, rng));
        } else {
            countShape = pick(all, rng);
            countTarget = 1 + rng.nextInt(MAX_OBJECTS);
            int min = Math.max(countTarget, 2);
            int n = min + rng.nextInt(MAX_OBJECTS - min + 1);
            for (int i = 0; i < countTarget; i++) {
                shapes.add(countShape);
            }
            while (shapes.size() < n) {
                ShapeKind other = all[rng.nextInt(all.length - 1)];
                // Uniform over the shapes other than countShape.
                shapes.add(other.ordinal() >= countShape.ordinal() ? all[other.ordinal() + 1] : other);
            }
        }
        List<SceneObject> objects = new ArrayList<>(shapes.size());
        List<double[]> cells = new ArrayList<>(shapes.size());
        boolean single = shapes.size() == 1;
        double minSide = size * (single ? 0.28 : 0.18);
        double maxSide = size * (single ? 0.50 : 0.32);
        for (ShapeKind shape : shapes) {
            ColorName color = pick(ColorName.values(), rng);
            double[] cell = place(cells, size, minSide, maxSide, rng);
            cells.add(cell);
            Rectangle2D b = shape.outline(cell[0], cell[1], cell[2]).getBounds2D();
            int x0 = (int) Math.floor(b.getMinX());
            int y0 = (int) Math.floor(b.getMinY());
            int x1 = Math.min(size, (int) Math.ceil(b.getMaxX()));
            int y1 = Math.min(size, (int) Math.ceil(b.getMaxY()));
            objects.add(new SceneObject(shape, color, Math.max(0, x0), Math.max(0, y0), x1 - Math.max(0, x0),
                    y1 - Math.max(0, y0)));
        }
        // Left-to-right order makes captions read naturally; cells follow their objects.
        Integer[] order = new Integer[objects.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble(i -> objects.get(i).centerX()));
        List<SceneObject> sortedObjects = new ArrayList<>(order.length);
        List<double[]> sortedCells = new ArrayList<>(order.length);
        for (int i : order) {
            sortedObjects.add(objects.get(i));
            sortedCells.add(cells.get(i));
        }
        return new Scene(id, split, fileName, size, background, sortedObjects, countShape, countTarget, sortedCells);
    }

    /** A square cell that keeps a small gap to the cells already placed; shrinks if space is tight. */
    private static double[] place(List<double[]> cells, int size, double minSide, double maxSide, SplittableRandom rng) {
        double margin = Math.max(1, size * 0.02);
        double gap = Math.max(2, size * 0.03);
        double side = minSide + rng.nextDouble() * (maxSide - minSide);
        while (true) {
            for (int attempt = 0; attempt < 60; attempt++) {
                double x = margin + rng.nextDouble() * (size - side - 2 * margin);
                double y = margin + rng.nextDouble() * (size - side - 2 * margin);
                boolean free = true;
                for (double[] c : cells) {
                    if (x < c[0] + c[2] + gap && c[0] < x + side + gap && y < c[1] + c[2] + gap && c[1] < y + side + gap) {
                        free = false;
                        break;
                    }
                }
                if (free) {
                    return new double[] {x, y, side};
                }
            }
            side *= 0.85; // four cells of <= 0.32 * size always fit after a few shrinks
        }
    }

    private static <T> T pick(T[] values, SplittableRandom rng) {
        return values[rng.nextInt(values.length)];
    }

    private static double[] objectCountProbability() {
        double[] p = new double[MAX_OBJECTS + 1];
        p[1] += SINGLE_FRACTION;
        for (int k = 1; k <= MAX_OBJECTS; k++) {
            int min = Math.max(k, 2);
            for (int n = min; n <= MAX_OBJECTS; n++) {
                p[n] += (1 - SINGLE_FRACTION) / MAX_OBJECTS / (MAX_OBJECTS - min + 1);
            }
        }
        return p;
    }
}

package dev.glimpse.datasets.scenes;

import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.List;

/** The shapes a scene can contain, with the words captions and questions use for them. */
public enum ShapeKind {
    CIRCLE("circle", "circles", "oval"),
    SQUARE("square", "squares", "rectangle"),
    TRIANGLE("triangle", "triangles", "pyramid"),
    STAR("star", "stars", "asterisk"),
    CROSS("cross", "crosses", "plus");

    private final String word;
    private final String plural;
    private final String confusion;

    ShapeKind(String word, String plural, String confusion) {
        this.word = word;
        this.plural = plural;
        this.confusion = confusion;
    }

    public String word() {
        return word;
    }

    public String plural() {
        return plural;
    }

    /**
     * Every word a caption may name the shape of {@code objects_<split>.json}'s {@code "shape"} by:
     * singular and plural, as the caption templates write them; a shape this generator does not
     * know is named by its word alone.
     */
    public static List<String> captionWords(String shape) {
        for (ShapeKind k : values()) {
            if (k.word.equals(shape)) {
                return List.of(k.word, k.plural);
            }
        }
        return List.of(shape);
    }

    /** A word a careless annotator might give instead (noisy VQA answers). */
    String confusion() {
        return confusion;
    }

    /** The outline drawn inside the square cell at (x, y) with side s; each kind fills most of it. */
    Shape outline(double x, double y, double s) {
        return switch (this) {
            case CIRCLE -> new Ellipse2D.Double(x, y, s, s);
            case SQUARE -> new Rectangle2D.Double(x + 0.08 * s, y + 0.08 * s, 0.84 * s, 0.84 * s);
            case TRIANGLE -> polygon(new double[] {x + s / 2, y + 0.065 * s, x + s, y + 0.935 * s, x, y + 0.935 * s});
            case STAR -> star(x + s / 2, y + 0.53 * s, s / 2);
            case CROSS -> {
                double a = x + 0.33 * s;
                double b = x + 0.67 * s;
                double c = y + 0.33 * s;
                double d = y + 0.67 * s;
                yield polygon(new double[] {a, y, b, y, b, c, x + s, c, x + s, d, b, d, b, y + s, a, y + s, a, d,
                        x, d, x, c, a, c});
            }
        };
    }

    private static Shape star(double cx, double cy, double outer) {
        double inner = 0.45 * outer;
        double[] xy = new double[20];
        for (int i = 0; i < 10; i++) {
            double r = i % 2 == 0 ? outer : inner;
            double angle = -Math.PI / 2 + i * Math.PI / 5;
            xy[2 * i] = cx + r * Math.cos(angle);
            xy[2 * i + 1] = cy + r * Math.sin(angle);
        }
        return polygon(xy);
    }

    private static Shape polygon(double[] xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }
}

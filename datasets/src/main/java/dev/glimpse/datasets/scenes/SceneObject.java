package dev.glimpse.datasets.scenes;

/**
 * One drawn object. The bounding box is the tight pixel box of the drawn outline
 * ({@code [x, y, w, h]}, COCO convention, origin top left).
 */
public record SceneObject(ShapeKind shape, ColorName color, int x, int y, int w, int h) {
    public double centerX() {
        return x + w / 2.0;
    }

    public double centerY() {
        return y + h / 2.0;
    }

    /** "red circle". */
    public String name() {
        return color.word() + " " + shape.word();
    }
}

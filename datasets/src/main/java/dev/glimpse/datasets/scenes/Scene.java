package dev.glimpse.datasets.scenes;

import java.util.List;

/**
 * The content of one synthetic image.
 *
 * @param objects    ordered left to right by centre
 * @param countShape the shape the scene was planned to repeat for a "how many" question, or null
 *                   (one-object scenes)
 * @param countTarget how many objects of {@code countShape} the scene has (0 when none planned)
 * @param cells      the square cells the objects were drawn in ({@code [x, y, side]}, same order),
 *                   kept for rendering
 */
record Scene(long id, String split, String fileName, int size, BackgroundKind background,
                    List<SceneObject> objects, ShapeKind countShape, int countTarget, List<double[]> cells) {
    public Scene {
        objects = List.copyOf(objects);
        cells = List.copyOf(cells);
    }
}

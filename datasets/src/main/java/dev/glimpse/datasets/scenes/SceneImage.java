package dev.glimpse.datasets.scenes;

import java.util.List;

/**
 * One entry of {@code objects_<split>.json}: what is where in a synthetic image.
 *
 * @param fileName relative to {@code out/images/<split>}
 * @param objects  left to right; bounding boxes are {@code [x, y, w, h]} pixels
 */
public record SceneImage(long id, String fileName, int width, int height, String background, List<Placed> objects) {
    public SceneImage {
        objects = List.copyOf(objects);
    }

    /** An object as written in the file: shape and colour words and its pixel box. */
    public record Placed(String shape, String color, int x, int y, int w, int h) {
        /** True when pixel (px, py) lies inside the box. */
        public boolean contains(double px, double py) {
            return px >= x && px < x + w && py >= y && py < y + h;
        }
    }
}

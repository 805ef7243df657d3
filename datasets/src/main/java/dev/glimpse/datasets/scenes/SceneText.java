package dev.glimpse.datasets.scenes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small English helpers shared by captions and questions. */
final class SceneText {
    static final String[] NUMBERS = {"zero", "one", "two", "three", "four", "five"};

    private SceneText() {}

    static String article(String nextWord) {
        return "aeiou".indexOf(nextWord.charAt(0)) >= 0 ? "an" : "a";
    }

    /** "a red circle". */
    static String withArticle(String phrase) {
        return article(phrase) + " " + phrase;
    }

    /** "a, b and c". */
    static String join(List<String> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return String.join(", ", parts.subList(0, parts.size() - 1)) + " and " + parts.get(parts.size() - 1);
    }

    /** Objects grouped by colour and shape, in left-to-right order: "two red circles and a blue square". */
    static String describe(List<SceneObject> objects) {
        Map<String, int[]> groups = new LinkedHashMap<>();
        Map<String, SceneObject> first = new LinkedHashMap<>();
        for (SceneObject o : objects) {
            groups.computeIfAbsent(o.name(), k -> new int[1])[0]++;
            first.putIfAbsent(o.name(), o);
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, int[]> e : groups.entrySet()) {
            SceneObject o = first.get(e.getKey());
            int n = e.getValue()[0];
            parts.add(n == 1 ? withArticle(o.name()) : NUMBERS[n] + " " + o.color().word() + " " + o.shape().plural());
        }
        return join(parts);
    }

    /** Shapes only: "two triangles and a circle". */
    static String describeShapes(List<SceneObject> objects) {
        Map<ShapeKind, int[]> groups = new LinkedHashMap<>();
        for (SceneObject o : objects) {
            groups.computeIfAbsent(o.shape(), k -> new int[1])[0]++;
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<ShapeKind, int[]> e : groups.entrySet()) {
            int n = e.getValue()[0];
            parts.add(n == 1 ? withArticle(e.getKey().word()) : NUMBERS[n] + " " + e.getKey().plural());
        }
        return join(parts);
    }

    /** Distinct colours in left-to-right order: "red, blue and green". */
    static String colors(List<SceneObject> objects) {
        List<String> seen = new ArrayList<>();
        for (SceneObject o : objects) {
            if (!seen.contains(o.color().word())) {
                seen.add(o.color().word());
            }
        }
        return join(seen);
    }

    /** Where in the image a point lies, in thirds: "top left corner", "center", "bottom". */
    static String region(double x, double y, int size) {
        int col = Math.min(2, (int) (3 * x / size));
        int row = Math.min(2, (int) (3 * y / size));
        String[][] names = {
            {"top left corner", "top", "top right corner"},
            {"left side", "center", "right side"},
            {"bottom left corner", "bottom", "bottom right corner"}};
        return names[row][col];
    }

    /** Objects whose colour-and-shape name is unique in the scene: they can be referred to as "the red circle". */
    static List<SceneObject> nameable(List<SceneObject> objects) {
        List<SceneObject> out = new ArrayList<>();
        for (SceneObject o : objects) {
            if (objects.stream().filter(p -> p.name().equals(o.name())).count() == 1) {
                out.add(o);
            }
        }
        return out;
    }

    /** Minimum centre distance, as a fraction of the image, for "left of" or "above" to be unambiguous. */
    static final double SEPARATION = 0.15;

    static boolean separatedX(SceneObject a, SceneObject b, int size) {
        return Math.abs(a.centerX() - b.centerX()) >= SEPARATION * size;
    }

    static boolean separatedY(SceneObject a, SceneObject b, int size) {
        return Math.abs(a.centerY() - b.centerY()) >= SEPARATION * size;
    }
}

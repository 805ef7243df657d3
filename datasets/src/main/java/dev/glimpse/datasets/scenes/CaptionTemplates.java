package dev.glimpse.datasets.scenes;

import static dev.glimpse.datasets.scenes.SceneText.NUMBERS;
import static dev.glimpse.datasets.scenes.SceneText.describe;
import static dev.glimpse.datasets.scenes.SceneText.describeShapes;
import static dev.glimpse.datasets.scenes.SceneText.withArticle;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Writes varied, true captions for a scene, like five annotators would: object lists, counts,
 * shapes only, colours only, spatial relations, background and size.
 */
final class CaptionTemplates {
    static final int PER_IMAGE = 5;

    private CaptionTemplates() {}

    static List<String> captions(Scene scene, SplittableRandom rng) {
        List<SceneObject> objs = scene.objects();
        String bg = scene.background().word();
        int n = objs.size();
        String list = describe(objs);
        List<String> candidates = new ArrayList<>();
        candidates.add(list);
        candidates.add(list + " on a " + bg + " background");
        candidates.add("a picture of " + list);
        candidates.add(n == 1
                ? "one " + objs.get(0).shape().word() + " on a " + bg + " background"
                : NUMBERS[n] + " shapes on a " + bg + " background");
        candidates.add("an image of " + describeShapes(objs));
        candidates.add(n == 1
                ? withArticle(objs.get(0).color().word()) + " shape on a " + bg + " background"
                : NUMBERS[n] + " shapes colored " + SceneText.colors(objs));
        String spatial = spatial(scene, rng);
        if (spatial != null) {
            candidates.add(spatial);
        }
        if (n == 1) {
            SceneObject o = objs.get(0);
            double side = Math.max(o.w(), o.h()) / (double) scene.size();
            String size = side < 0.33 ? "small" : side > 0.42 ? "large" : "medium sized";
            candidates.add(withArticle(size + " " + o.name()));
        } else {
            candidates.add("there are " + NUMBERS[n] + " shapes: " + list);
        }
        // Shuffle, then keep the first five distinct: every scene has at least six templates.
        for (int i = candidates.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            String t = candidates.get(i);
            candidates.set(i, candidates.get(j));
            candidates.set(j, t);
        }
        Set<String> out = new LinkedHashSet<>();
        for (String c : candidates) {
            if (out.size() < PER_IMAGE) {
                out.add(c);
            }
        }
        return new ArrayList<>(out);
    }

    /** "there is a red circle to the left of a blue square", or where a single object is. */
    private static String spatial(Scene scene, SplittableRandom rng) {
        List<SceneObject> objs = scene.objects();
        if (objs.size() == 1) {
            SceneObject o = objs.get(0);
            return withArticle(o.name()) + " in the " + SceneText.region(o.centerX(), o.centerY(), scene.size())
                    + " of the image";
        }
        List<SceneObject[]> pairs = new ArrayList<>();
        for (SceneObject a : objs) {
            for (SceneObject b : objs) {
                if (a != b && (SceneText.separatedX(a, b, scene.size()) || SceneText.separatedY(a, b, scene.size()))) {
                    pairs.add(new SceneObject[] {a, b});
                }
            }
        }
        if (pairs.isEmpty()) {
            return null;
        }
        SceneObject[] p = pairs.get(rng.nextInt(pairs.size()));
        SceneObject a = p[0];
        SceneObject b = p[1];
        String relation;
        if (SceneText.separatedX(a, b, scene.size())) {
            relation = a.centerX() < b.centerX() ? "to the left of" : "to the right of";
        } else {
            relation = a.centerY() < b.centerY() ? "above" : "below";
        }
        return "there is " + withArticle(a.name()) + " " + relation + " " + withArticle(b.name());
    }
}

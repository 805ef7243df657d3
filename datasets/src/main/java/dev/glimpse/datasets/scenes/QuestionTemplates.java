package dev.glimpse.datasets.scenes;

import static dev.glimpse.datasets.scenes.SceneText.article;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Asks about colour, shape, counts, existence and relative position, so that the answer for any
 * question text depends on the image: yes/no questions are asked about a present or an absent
 * thing with equal probability, colours and shapes asked about are uniform by the scene plan, and
 * "how many shapes" is subsampled so 1..4 are equally likely (see {@link ScenePlanner}).
 */
final class QuestionTemplates {
    static final int ANSWERS = 10;

    private QuestionTemplates() {}

    static List<SceneQuestion> questions(Scene scene, SplittableRandom rng) {
        List<SceneQuestion> out = new ArrayList<>(8);
        List<SceneObject> objs = scene.objects();
        color(objs, rng, out);
        shape(objs, rng, out);
        if (scene.countShape() != null) {
            ShapeKind s = scene.countShape();
            out.add(number("how many " + s.plural() + " are there?", "how many <shapes> are there?",
                    scene.countTarget(), rng));
        }
        totalCount(objs.size(), rng, out);
        existsColorShape(objs, rng, out);
        if (rng.nextBoolean()) {
            existsShape(objs, rng, out);
        } else {
            existsColor(objs, rng, out);
        }
        relation(scene, rng, out);
        return out;
    }

    private static void color(List<SceneObject> objs, SplittableRandom rng, List<SceneQuestion> out) {
        List<SceneObject> unique = new ArrayList<>();
        for (SceneObject o : objs) {
            if (objs.stream().filter(p -> p.shape() == o.shape()).count() == 1) {
                unique.add(o);
            }
        }
        if (!unique.isEmpty()) {
            SceneObject o = unique.get(rng.nextInt(unique.size()));
            out.add(other("what color is the " + o.shape().word() + "?", "what color is the <shape>?",
                    "what color is the", o.color().word(), o.color().confusion(), rng));
        }
    }

    private static void shape(List<SceneObject> objs, SplittableRandom rng, List<SceneQuestion> out) {
        List<SceneObject> unique = new ArrayList<>();
        for (SceneObject o : objs) {
            if (objs.stream().filter(p -> p.color() == o.color()).count() == 1) {
                unique.add(o);
            }
        }
        if (!unique.isEmpty()) {
            SceneObject o = unique.get(rng.nextInt(unique.size()));
            out.add(other("what shape is the " + o.color().word() + " object?", "what shape is the <color> object?",
                    "what shape is the", o.shape().word(), o.shape().confusion(), rng));
        }
    }

    /** Asked with probability min_n P(n) / P(n) so each total 1..4 is equally likely among asked questions. */
    private static void totalCount(int n, SplittableRandom rng, List<SceneQuestion> out) {
        double[] p = ScenePlanner.OBJECT_COUNT_PROBABILITY;
        double min = 1;
        for (int i = 1; i < p.length; i++) {
            min = Math.min(min, p[i]);
        }
        if (rng.nextDouble() < min / p[n]) {
            String noun = rng.nextBoolean() ? "shapes" : "objects";
            out.add(number("how many " + noun + " are there?", "how many " + noun + " are there?", n, rng));
        }
    }

    private static void existsColorShape(List<SceneObject> objs, SplittableRandom rng, List<SceneQuestion> out) {
        ColorName color;
        ShapeKind shape;
        boolean yes = rng.nextBoolean();
        if (yes) {
            SceneObject o = objs.get(rng.nextInt(objs.size()));
            color = o.color();
            shape = o.shape();
        } else {
            List<int[]> absent = new ArrayList<>();
            for (ColorName c : ColorName.values()) {
                for (ShapeKind s : ShapeKind.values()) {
                    if (objs.stream().noneMatch(o -> o.color() == c && o.shape() == s)) {
                        absent.add(new int[] {c.ordinal(), s.ordinal()});
                    }
                }
            }
            int[] pick = absent.get(rng.nextInt(absent.size()));
            color = ColorName.values()[pick[0]];
            shape = ShapeKind.values()[pick[1]];
        }
        out.add(yesNo("is there " + article(color.word()) + " " + color.word() + " " + shape.word() + "?",
                "is there a <color> <shape>?", "is there a", yes, rng));
    }

    private static void existsShape(List<SceneObject> objs, SplittableRandom rng, List<SceneQuestion> out) {
        Set<ShapeKind> present = EnumSet.noneOf(ShapeKind.class);
        objs.forEach(o -> present.add(o.shape()));
        boolean yes = rng.nextBoolean();
        List<ShapeKind> pool = new ArrayList<>(yes ? present : EnumSet.complementOf(EnumSet.copyOf(present)));
        ShapeKind s = pool.get(rng.nextInt(pool.size()));
        out.add(yesNo("is there a " + s.word() + "?", "is there a <shape>?", "is there a", yes, rng));
    }

    private static void existsColor(List<SceneObject> objs, SplittableRandom rng, List<SceneQuestion> out) {
        Set<ColorName> present = EnumSet.noneOf(ColorName.class);
        objs.forEach(o -> present.add(o.color()));
        boolean yes = rng.nextBoolean();
        List<ColorName> pool = new ArrayList<>(yes ? present : EnumSet.complementOf(EnumSet.copyOf(present)));
        ColorName c = pool.get(rng.nextInt(pool.size()));
        out.add(yesNo("is there " + article(c.word()) + " " + c.word() + " object?", "is there a <color> object?",
                "is there a", yes, rng));
    }

    private static void relation(Scene scene, SplittableRandom rng, List<SceneQuestion> out) {
        List<SceneObject> named = SceneText.nameable(scene.objects());
        List<SceneObject[]> pairs = new ArrayList<>();
        for (SceneObject a : named) {
            for (SceneObject b : named) {
                if (a != b && (SceneText.separatedX(a, b, scene.size()) || SceneText.separatedY(a, b, scene.size()))) {
                    pairs.add(new SceneObject[] {a, b});
                }
            }
        }
        if (pairs.isEmpty()) {
            return;
        }
        // Ordered pairs are all listed, so picking one uniformly asks "a left of b" and "b left of a" equally often.
        SceneObject[] p = pairs.get(rng.nextInt(pairs.size()));
        SceneObject a = p[0];
        SceneObject b = p[1];
        List<String> relations = new ArrayList<>(4);
        if (SceneText.separatedX(a, b, scene.size())) {
            relations.add("left of");
            relations.add("right of");
        }
        if (SceneText.separatedY(a, b, scene.size())) {
            relations.add("above");
            relations.add("below");
        }
        String rel = relations.get(rng.nextInt(relations.size()));
        boolean yes = switch (rel) {
            case "left of" -> a.centerX() < b.centerX();
            case "right of" -> a.centerX() > b.centerX();
            case "above" -> a.centerY() < b.centerY();
            default -> a.centerY() > b.centerY();
        };
        out.add(yesNo("is the " + a.name() + " " + rel + " the " + b.name() + "?",
                "is the <color> <shape> " + rel + " the <color> <shape>?", "is the", yes, rng));
    }

    private static SceneQuestion other(String q, String template, String type, String answer, String slip,
                                       SplittableRandom rng) {
        return annotate(q, template, type, "other", answer, slip, rng);
    }

    private static SceneQuestion number(String q, String template, int n, SplittableRandom rng) {
        String slip = String.valueOf(n == 1 ? 2 : rng.nextBoolean() ? n - 1 : n + 1);
        return annotate(q, template, "how many", "number", String.valueOf(n), slip, rng);
    }

    private static SceneQuestion yesNo(String q, String template, String type, boolean yes, SplittableRandom rng) {
        return annotate(q, template, type, "yes/no", yes ? "yes" : "no", yes ? "no" : "yes", rng);
    }

    /** Ten answers: the truth, with 0 (60%), 1 (25%) or 2 (15%) slips so soft VQA scores are exercised. */
    private static SceneQuestion annotate(String q, String template, String type, String answerType, String answer,
                                          String slip, SplittableRandom rng) {
        double u = rng.nextDouble();
        int slips = u < 0.60 ? 0 : u < 0.85 ? 1 : 2;
        List<String> answers = new ArrayList<>(ANSWERS);
        List<String> confidences = new ArrayList<>(ANSWERS);
        for (int i = 0; i < ANSWERS; i++) {
            answers.add(answer);
            confidences.add("yes");
        }
        for (int s = 0; s < slips; s++) {
            int at = rng.nextInt(ANSWERS);
            answers.set(at, slip);
            confidences.set(at, "maybe");
        }
        return new SceneQuestion(q, template, type, answerType, answer, answers, confidences);
    }
}

package dev.glimpse.datasets.scenes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Trains nothing: checks on the planned scenes (no pixels) that no question can be answered from
 * its text alone, and that every answer and caption is true of its scene.
 */
class SceneBalanceTest {
    private static final int SCENES = 6000;
    private static final List<SceneGenerator.Described> DATA = new ArrayList<>();

    @BeforeAll
    static void plan() {
        for (int i = 0; i < SCENES; i++) {
            DATA.add(SceneGenerator.describe("train", i, 2024, 128));
        }
    }

    /** Share of the most frequent answer per key, for keys seen at least {@code minCount} times. */
    private static Map<String, Double> majorityShare(java.util.function.Function<SceneQuestion, String> key, int minCount) {
        Map<String, Map<String, Integer>> counts = new HashMap<>();
        for (SceneGenerator.Described d : DATA) {
            for (SceneQuestion q : d.questions()) {
                counts.computeIfAbsent(key.apply(q), k -> new HashMap<>()).merge(q.answer(), 1, Integer::sum);
            }
        }
        Map<String, Double> out = new HashMap<>();
        counts.forEach((k, answers) -> {
            int total = answers.values().stream().mapToInt(Integer::intValue).sum();
            if (total >= minCount) {
                out.put(k, answers.values().stream().mapToInt(Integer::intValue).max().orElse(0) / (double) total);
            }
        });
        return out;
    }

    @Test
    void noExactQuestionTextGivesAwayItsAnswer() {
        // 250+ samples per text: a fair yes/no text then exceeds 0.6 with probability < 0.1%, so a
        // failure means a real bias, not noise. Rarer texts (one colour-shape pair) are covered by templates.
        Map<String, Double> share = majorityShare(SceneQuestion::question, 250);
        assertTrue(share.size() >= 30, "enough frequent question texts to judge: " + share.size());
        share.forEach((q, s) -> assertTrue(s <= 0.6, q + " majority share " + s));
    }

    @Test
    void noTemplateGivesAwayItsAnswer() {
        Map<String, Double> share = majorityShare(SceneQuestion::template, 100);
        assertTrue(share.size() >= 10, share.keySet().toString());
        share.forEach((t, s) -> assertTrue(s <= 0.6, t + " majority share " + s));
        // The balance targets themselves: yes/no near 1/2, counts near 1/4, colours near 1/8, shapes near 1/5.
        assertTrue(share.get("is there a <color> <shape>?") < 0.55);
        assertTrue(share.get("how many <shapes> are there?") < 0.31);
        assertTrue(share.get("how many shapes are there?") < 0.31);
        assertTrue(share.get("what color is the <shape>?") < 0.16);
        assertTrue(share.get("what shape is the <color> object?") < 0.25);
    }

    @Test
    void sceneMixHasSingleObjectScenesAndEveryQuestionKind() {
        long single = DATA.stream().filter(d -> d.scene().objects().size() == 1).count();
        double fraction = single / (double) SCENES;
        assertTrue(fraction > 0.2 && fraction < 0.3, "single-object fraction " + fraction);
        Map<String, Integer> types = new HashMap<>();
        DATA.forEach(d -> d.questions().forEach(q -> types.merge(q.answerType(), 1, Integer::sum)));
        assertEquals(3, types.size(), types.toString());
        Set5.check(DATA);
    }

    private static final Pattern COUNT_SHAPE = Pattern.compile("how many (\\w+) are there\\?");
    private static final Pattern COLOR_OF = Pattern.compile("what color is the (\\w+)\\?");
    private static final Pattern SHAPE_OF = Pattern.compile("what shape is the (\\w+) object\\?");
    private static final Pattern EXISTS = Pattern.compile("is there an? (\\w+) (\\w+)\\?");
    private static final Pattern RELATION = Pattern.compile("is the (\\w+) (\\w+) (left of|right of|above|below) the (\\w+) (\\w+)\\?");

    @Test
    void everyAnswerIsTrueOfItsScene() {
        for (SceneGenerator.Described d : DATA) {
            List<SceneObject> objs = d.scene().objects();
            for (SceneQuestion q : d.questions()) {
                String expected = independentAnswer(q.question(), objs);
                assertEquals(expected, q.answer(), q.question() + " in " + objs);
                assertEquals(10, q.answers().size());
                assertTrue(q.answers().stream().filter(q.answer()::equals).count() >= 8);
            }
        }
    }

    private static String independentAnswer(String question, List<SceneObject> objs) {
        Matcher m;
        if (question.equals("how many shapes are there?") || question.equals("how many objects are there?")) {
            return String.valueOf(objs.size());
        }
        if ((m = COUNT_SHAPE.matcher(question)).matches()) {
            String plural = m.group(1);
            return String.valueOf(objs.stream().filter(o -> o.shape().plural().equals(plural)).count());
        }
        if ((m = COLOR_OF.matcher(question)).matches()) {
            String shape = m.group(1);
            List<SceneObject> hits = objs.stream().filter(o -> o.shape().word().equals(shape)).toList();
            assertEquals(1, hits.size(), "the " + shape + " must be unique: " + question);
            return hits.get(0).color().word();
        }
        if ((m = SHAPE_OF.matcher(question)).matches()) {
            String color = m.group(1);
            List<SceneObject> hits = objs.stream().filter(o -> o.color().word().equals(color)).toList();
            assertEquals(1, hits.size(), "the " + color + " object must be unique: " + question);
            return hits.get(0).shape().word();
        }
        if ((m = RELATION.matcher(question)).matches()) {
            SceneObject a = unique(objs, m.group(1), m.group(2));
            SceneObject b = unique(objs, m.group(4), m.group(5));
            boolean yes = switch (m.group(3)) {
                case "left of" -> a.centerX() < b.centerX();
                case "right of" -> a.centerX() > b.centerX();
                case "above" -> a.centerY() < b.centerY();
                default -> a.centerY() > b.centerY();
            };
            return yes ? "yes" : "no";
        }
        if ((m = EXISTS.matcher(question)).matches()) {
            String first = m.group(1);
            String second = m.group(2);
            boolean yes = second.equals("object")
                    ? objs.stream().anyMatch(o -> o.color().word().equals(first))
                    : objs.stream().anyMatch(o -> o.color().word().equals(first) && o.shape().word().equals(second));
            return yes ? "yes" : "no";
        }
        if (question.startsWith("is there a")) {
            String shape = question.substring(question.lastIndexOf(' ') + 1, question.length() - 1);
            return objs.stream().anyMatch(o -> o.shape().word().equals(shape)) ? "yes" : "no";
        }
        throw new AssertionError("unknown question form: " + question);
    }

    private static SceneObject unique(List<SceneObject> objs, String color, String shape) {
        List<SceneObject> hits = objs.stream()
                .filter(o -> o.color().word().equals(color) && o.shape().word().equals(shape)).toList();
        assertEquals(1, hits.size(), color + " " + shape + " must be unique");
        return hits.get(0);
    }

    /** Caption checks: five distinct captions per image that mention every colour present. */
    private static final class Set5 {
        static void check(List<SceneGenerator.Described> data) {
            for (SceneGenerator.Described d : data) {
                assertEquals(5, new HashSet<>(d.captions()).size(), d.captions().toString());
                String all = String.join(" ", d.captions());
                for (SceneObject o : d.scene().objects()) {
                    assertTrue(all.contains(o.color().word()), o + " not in " + d.captions());
                }
            }
        }
    }
}

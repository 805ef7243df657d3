package dev.glimpse.vqa.eval;

import static dev.glimpse.vqa.eval.VqaEvaluator.questionAccuracy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The official accuracy on small corpora. Expected values are derived by hand from the rule
 * acc_i = min(1, #{other answers equal to the prediction} / 3), question = mean over answers.
 */
class VqaEvaluatorTest {
    private static final double EXACT = 0.0;
    private static final double ULP = 1e-12;

    private static List<String> answers(Object... countAndText) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < countAndText.length; i += 2) {
            out.addAll(Collections.nCopies((Integer) countAndText[i], (String) countAndText[i + 1]));
        }
        return out;
    }

    @Test
    void matchesCountedAmongTheOtherNine() {
        assertEquals(1.0, questionAccuracy(answers(10, "red"), "red"), EXACT);
        // 1 red: the red answer sees 0 others (0), each blue sees 1 red (1/3): 9/3 / 10
        assertEquals(0.3, questionAccuracy(answers(1, "red", 9, "blue"), "red"), ULP);
        // 2 red: each red sees 1 (1/3), each blue sees 2 (2/3): (2/3 + 16/3) / 10
        assertEquals(0.6, questionAccuracy(answers(2, "red", 8, "blue"), "red"), ULP);
        // 3 red: each red sees 2 (2/3), each blue sees 3 (1): (2 + 7) / 10
        assertEquals(0.9, questionAccuracy(answers(3, "red", 7, "blue"), "red"), ULP);
        // 4 red: every answer sees at least 3 reds
        assertEquals(1.0, questionAccuracy(answers(4, "red", 6, "blue"), "red"), EXACT);
        assertEquals(0.0, questionAccuracy(answers(5, "red", 5, "blue"), "green"), EXACT);
        // three different answers: (0 + 1/3 + 1/3) / 3
        assertEquals(2.0 / 9, questionAccuracy(List.of("red", "blue", "green"), "red"), ULP);
    }

    @Test
    void predictionIsCleanedAlways() {
        assertEquals(1.0, questionAccuracy(answers(10, "red"), " red\n"), EXACT);
        assertEquals(1.0, questionAccuracy(answers(10, "red car"), "red\tcar"), EXACT);
    }

    @Test
    void unanimousAnswersSkipPunctuationAndDigitProcessingOnBothSides() {
        assertEquals(0.0, questionAccuracy(answers(10, "red"), "Red"), EXACT);
        assertEquals(0.0, questionAccuracy(answers(10, "2"), "two"), EXACT);
        assertEquals(0.0, questionAccuracy(answers(10, "the red"), "red"), EXACT);
        assertEquals(1.0, questionAccuracy(answers(10, "the red"), "the red"), EXACT);
        // answers differing only in surrounding whitespace are unanimous once cleaned
        assertEquals(0.0, questionAccuracy(answers(9, "red", 1, " red "), "Red"), EXACT);
    }

    @Test
    void mixedAnswersNormaliseAnswersAndPrediction() {
        // "2", "two" and "Two." all become "2"; so does the prediction "two"
        assertEquals(1.0, questionAccuracy(answers(5, "2", 4, "two", 1, "Two."), "two"), EXACT);
        assertEquals(1.0, questionAccuracy(answers(9, "the red", 1, "red"), "Red!"), EXACT);
        // "Red" vs "red" differ, so processing runs: all ten become "red"
        assertEquals(1.0, questionAccuracy(answers(9, "red", 1, "Red"), "RED"), EXACT);
        // 1,000 -> 1000 on both sides; the 9 "1000" answers plus the converted one
        assertEquals(1.0, questionAccuracy(answers(9, "1000", 1, "1,000"), "1,000"), EXACT);
        // processing can also separate answers: "t-shirt" -> "t shirt" != "tshirt"
        assertEquals(0.3, questionAccuracy(answers(1, "t-shirt", 9, "tshirt"), "t-shirt"), ULP);
    }

    private static VqaGroundTruth gt(long id, String answerType, String questionType, List<String> answers) {
        return new VqaGroundTruth(id, questionType, answerType, answers);
    }

    @Test
    void overallAndPerTypeAreMeansTimesHundredRounded() {
        List<VqaGroundTruth> gts = List.of(
                gt(1, "other", "what color is the", answers(10, "red")),            // red -> 1.0
                gt(2, "other", "what color is the", answers(1, "red", 9, "blue")),  // red -> 0.3
                gt(3, "yes/no", "is the", answers(10, "yes")),                      // no  -> 0
                gt(4, "number", "how many", answers(3, "2", 7, "3")),               // two -> 0.9
                gt(5, "number", "how many", List.of("1", "2", "3")));              // 1 -> 2/9
        Map<Long, String> res = Map.of(1L, "red", 2L, "red", 3L, "no", 4L, "two", 5L, "one");
        VqaScores s = VqaEvaluator.evaluate(gts, res);
        assertEquals(5, s.scored());
        // (1 + 0.3 + 0 + 0.9 + 2/9) / 5 = 2.42222 / 5 = 0.484444
        assertEquals(48.44, s.overall(), EXACT);
        assertEquals(65.0, s.perAnswerType().get("other"), EXACT);
        assertEquals(0.0, s.perAnswerType().get("yes/no"), EXACT);
        // (0.9 + 2/9) / 2 = 0.561111
        assertEquals(56.11, s.perAnswerType().get("number"), EXACT);
        assertEquals(65.0, s.perQuestionType().get("what color is the"), EXACT);
        assertEquals(0.0, s.perQuestionType().get("is the"), EXACT);
        assertEquals(56.11, s.perQuestionType().get("how many"), EXACT);
        assertEquals(List.of(100.0, 30.0, 0.0, 90.0, 22.22),
                s.questions().stream().map(VqaScores.QuestionScore::accuracy).toList());
        assertEquals("two", s.questions().get(3).answer());
    }

    /** n questions of which the first {@code right} are answered right and the rest wrong. */
    private static double overall(int n, int right) {
        List<VqaGroundTruth> gts = new ArrayList<>();
        Map<Long, String> res = new HashMap<>();
        for (int i = 0; i < n; i++) {
            gts.add(gt(i, "yes/no", "is it", answers(10, "yes")));
            res.put((long) i, i < right ? "yes" : "no");
        }
        return VqaEvaluator.evaluate(gts, res).overall();
    }

    @Test
    void roundingIsPythonsHalfEvenOnTheExactDouble() {
        assertEquals(0.12, overall(800, 1), EXACT);   // 0.125 exactly: half to even, down
        assertEquals(0.38, overall(800, 3), EXACT);   // 0.375 exactly: half to even, up
        assertEquals(0.62, overall(800, 5), EXACT);   // 0.625 exactly: down
        // 100*107/4000 = 2.675, stored as 2.67499999999999982...: down, not half-up to 2.68
        assertEquals(2.67, overall(4000, 107), EXACT);
        assertEquals(33.33, overall(3, 1), EXACT);
        assertEquals(66.67, overall(3, 2), EXACT);
    }

    @Test
    void predictionsMustCoverExactlyTheAnnotatedQuestions() {
        List<VqaGroundTruth> gts = List.of(gt(1, "yes/no", "is it", answers(10, "yes")),
                gt(2, "yes/no", "is it", answers(10, "yes")));
        GlimpseException missing = assertThrows(GlimpseException.class,
                () -> VqaEvaluator.evaluate(gts, Map.of(1L, "yes")));
        assertTrue(missing.getMessage().contains("question_id 2"), missing.getMessage());
        GlimpseException extra = assertThrows(GlimpseException.class,
                () -> VqaEvaluator.evaluate(gts, Map.of(1L, "yes", 2L, "no", 3L, "no")));
        assertTrue(extra.getMessage().contains("question_id 3"), extra.getMessage());
        assertThrows(GlimpseException.class, () -> VqaEvaluator.evaluate(List.of(), Map.of()));
    }
}

package dev.glimpse.vqa.eval;

import dev.glimpse.common.GlimpseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The official VQA accuracy (vqaEval.py at GT-Vision-Lab/VQA a013f00), independent of files.
 *
 * <p>Per question: ground-truth answers and the prediction get newline/tab -> space and strip.
 * Only when those cleaned answers are not all identical do the answers AND the prediction also
 * get the punctuation and digit/article processing ({@link AnswerNormalizer}); when annotators
 * agree unanimously, the prediction is compared as is (so "Red" does not match ten "red"). Then
 * for each of the n answers, acc = min(1, (how many of the OTHER n-1 answers equal the
 * prediction) / 3), and the question accuracy is the mean of the n. Reported numbers are
 * 100 x the mean over questions, rounded like Python 3's {@code round(x, 2)}; sums run in
 * annotation order as Python's {@code sum} did before 3.12, so even last-bit ties agree.
 *
 * <p>vqaEval excludes "the other answers" by comparing whole answer records, which is the other
 * n-1 positions whenever answer_ids differ (as in every VQA file); here it is positional.
 */
public final class VqaEvaluator {
    private VqaEvaluator() {}

    /** The unrounded accuracy in [0, 1] of one prediction against one question's answers. */
    public static double questionAccuracy(List<String> answers, String prediction) {
        if (answers.isEmpty()) {
            throw new IllegalArgumentException("a question needs at least one ground-truth answer");
        }
        List<String> gts = new ArrayList<>(answers.size());
        for (String a : answers) {
            gts.add(AnswerNormalizer.clean(a));
        }
        String res = AnswerNormalizer.clean(prediction);
        if (new HashSet<>(gts).size() > 1) {
            gts.replaceAll(a -> AnswerNormalizer.processDigitArticle(AnswerNormalizer.processPunctuation(a)));
            res = AnswerNormalizer.processDigitArticle(AnswerNormalizer.processPunctuation(res));
        }
        int n = gts.size();
        int equal = 0;
        for (String gt : gts) {
            if (gt.equals(res)) {
                equal++;
            }
        }
        double sum = 0;
        for (String gt : gts) {
            int othersMatching = equal - (gt.equals(res) ? 1 : 0);
            sum += Math.min(1.0, othersMatching / 3.0);
        }
        return sum / n;
    }

    /**
     * Scores {@code predictions} (question id -> answer) against every question of
     * {@code groundTruth}. Like the official loader, the predictions must cover exactly the
     * annotated questions: a missing or an extra question id is a {@link GlimpseException}.
     */
    public static VqaScores evaluate(List<VqaGroundTruth> groundTruth, Map<Long, String> predictions) {
        if (groundTruth.isEmpty()) {
            throw new GlimpseException("no annotated questions to evaluate");
        }
        Set<Long> seen = new HashSet<>();
        int missing = 0;
        Long firstMissing = null;
        for (VqaGroundTruth gt : groundTruth) {
            if (!seen.add(gt.questionId())) {
                throw new GlimpseException("annotations: question_id " + gt.questionId() + " appears twice");
            }
            if (gt.answers().isEmpty()) {
                throw new GlimpseException("annotations: question_id " + gt.questionId() + " has no answers");
            }
            if (predictions.get(gt.questionId()) == null) {
                missing++;
                if (firstMissing == null) {
                    firstMissing = gt.questionId();
                }
            }
        }
        if (missing > 0) {
            throw new GlimpseException("results: no answer for " + missing + " of " + groundTruth.size()
                    + " annotated questions (first: question_id " + firstMissing + ")");
        }
        for (Long id : predictions.keySet()) {
            if (!seen.contains(id)) {
                throw new GlimpseException("results: question_id " + id + " is not an annotated question");
            }
        }

        double total = 0;
        Map<String, double[]> byAnswerType = new LinkedHashMap<>();   // type -> {sum, count}
        Map<String, double[]> byQuestionType = new LinkedHashMap<>();
        List<VqaScores.QuestionScore> perQuestion = new ArrayList<>(groundTruth.size());
        for (VqaGroundTruth gt : groundTruth) {
            String prediction = predictions.get(gt.questionId());
            double acc = questionAccuracy(gt.answers(), prediction);
            total += acc;
            accumulate(byAnswerType, gt.answerType(), acc);
            accumulate(byQuestionType, gt.questionType(), acc);
            perQuestion.add(new VqaScores.QuestionScore(gt.questionId(), gt.answerType(), gt.questionType(),
                    prediction, PythonRound.round(100 * acc, 2)));
        }
        return new VqaScores(groundTruth.size(), percent(total, groundTruth.size()),
                percents(byAnswerType), percents(byQuestionType), List.copyOf(perQuestion));
    }

    private static void accumulate(Map<String, double[]> groups, String key, double acc) {
        double[] sumCount = groups.computeIfAbsent(String.valueOf(key), k -> new double[2]);
        sumCount[0] += acc;
        sumCount[1]++;
    }

    /** vqaEval's {@code round(100*float(sum(accs))/len(accs), 2)}, in that operation order. */
    private static double percent(double sum, int count) {
        return PythonRound.round(100 * sum / count, 2);
    }

    private static TreeMap<String, Double> percents(Map<String, double[]> groups) {
        TreeMap<String, Double> out = new TreeMap<>();
        groups.forEach((k, v) -> out.put(k, percent(v[0], (int) v[1])));
        return out;
    }
}

package dev.glimpse.vqa.eval;

import dev.glimpse.common.GlimpseException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Evaluation from files: results checked against the annotations with errors naming both files. */
public final class VqaEvaluationFiles {
    private VqaEvaluationFiles() {}

    public static VqaScores evaluate(Path results, Path questions, Path annotations) {
        return evaluate(VqaResultsFile.read(results), results.getFileName().toString(), questions, annotations);
    }

    /** Scores answers already in memory (a model's); {@code resultsName} names them in messages. */
    public static VqaScores evaluate(Map<Long, String> answers, String resultsName, Path questions, Path annotations) {
        List<VqaGroundTruth> gts = VqaGroundTruthFiles.read(questions, annotations);
        checkCoverage(answers, gts, resultsName, annotations.getFileName().toString());
        return VqaEvaluator.evaluate(gts, answers);
    }

    /** The official loader's rule: results answer exactly the annotated questions. */
    static void checkCoverage(Map<Long, String> answers, List<VqaGroundTruth> gts, String resultsName,
                              String annotationsName) {
        Set<Long> annotated = new HashSet<>();
        for (VqaGroundTruth gt : gts) {
            annotated.add(gt.questionId());
        }
        int index = 0;
        for (Long id : answers.keySet()) {
            if (!annotated.contains(id)) {
                throw new GlimpseException(resultsName + ": [" + index + "]: question_id " + id
                        + " is not in " + annotationsName);
            }
            index++;
        }
        int missing = 0;
        Long first = null;
        for (VqaGroundTruth gt : gts) {
            if (!answers.containsKey(gt.questionId())) {
                missing++;
                first = first == null ? gt.questionId() : first;
            }
        }
        if (missing > 0) {
            throw new GlimpseException(resultsName + ": no answer for " + missing + " of " + gts.size()
                    + " questions in " + annotationsName + " (first: question_id " + first + ")");
        }
    }
}

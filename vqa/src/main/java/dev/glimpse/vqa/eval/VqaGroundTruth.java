package dev.glimpse.vqa.eval;

import java.util.List;

/**
 * One annotated question as the evaluator needs it: the human answers (normally 10, in file
 * order) and the two labels scores are grouped by.
 */
public record VqaGroundTruth(long questionId, String questionType, String answerType, List<String> answers) {
    public VqaGroundTruth {
        answers = List.copyOf(answers);
    }
}

package dev.glimpse.vqa;

import dev.glimpse.vqa.eval.VqaGroundTruth;
import java.util.List;

/** One question with its image and human answers, as training and validation use it. */
public record VqaItem(long questionId, long imageId, String question, String questionType, String answerType,
                      List<String> answers) {
    public VqaItem {
        answers = List.copyOf(answers);
    }

    public VqaGroundTruth groundTruth() {
        return new VqaGroundTruth(questionId, questionType, answerType, answers);
    }
}

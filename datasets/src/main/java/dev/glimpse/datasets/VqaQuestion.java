package dev.glimpse.datasets;

import java.util.List;

/**
 * One VQA question joined with its annotation.
 *
 * @param answerType           {@code yes/no}, {@code number} or {@code other}; null when read without annotations
 * @param questionType         the VQA question type (first words, e.g. {@code what color is the}); null without annotations
 * @param multipleChoiceAnswer the annotators' most common answer; null without annotations
 * @param answers              the raw human answers in file order (10 in VQA v1/v2); empty without annotations
 */
public record VqaQuestion(long questionId, long imageId, String question, String answerType, String questionType,
                          String multipleChoiceAnswer, List<String> answers) {
    public VqaQuestion {
        answers = List.copyOf(answers);
    }
}

package dev.glimpse.vqa.eval;

import java.util.List;
import java.util.SortedMap;

/**
 * The result of one evaluation, in the official numbers: percentages rounded to 2 decimals.
 *
 * @param overall         100 x mean question accuracy
 * @param perAnswerType   the same per answer type (yes/no, number, other, ...)
 * @param perQuestionType the same per question type ("what color is the", ...)
 * @param questions       every question in annotation order with its rounded accuracy
 */
public record VqaScores(int scored, double overall, SortedMap<String, Double> perAnswerType,
                        SortedMap<String, Double> perQuestionType, List<QuestionScore> questions) {

    /** One scored question; {@code accuracy} is 100 x the question accuracy, rounded. */
    public record QuestionScore(long questionId, String answerType, String questionType,
                                String answer, double accuracy) {}
}

package dev.glimpse.datasets.scenes;

import java.util.List;

/**
 * One generated VQA question.
 *
 * @param template     the question with colour/shape words replaced by {@code <color>}/{@code <shape>}
 *                     (for balance checks; not written to the VQA files)
 * @param answers      ten annotator answers: mostly {@code answer}, sometimes one or two plausible slips
 * @param confidences  VQA {@code answer_confidence} per answer ({@code yes} or {@code maybe})
 */
record SceneQuestion(String question, String template, String questionType, String answerType, String answer,
                     List<String> answers, List<String> confidences) {}

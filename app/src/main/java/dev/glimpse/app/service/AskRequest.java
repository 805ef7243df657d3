package dev.glimpse.app.service;

import dev.glimpse.common.GlimpseException;

/**
 * A question about an image, and how many answers to return: the same defaults and limits for the
 * command line and the server.
 */
public record AskRequest(ImageInput image, String question, int top) {
    public static final int DEFAULT_TOP = 3;
    public static final int MAX_TOP = 20;
    /** VQA questions are a sentence; a longer text is refused before any work. */
    public static final int MAX_QUESTION_CHARS = 300;

    public AskRequest {
        if (question == null || question.isBlank()) {
            throw new GlimpseException("question: the question is empty");
        }
        if (question.length() > MAX_QUESTION_CHARS) {
            throw new GlimpseException("question: longer than " + MAX_QUESTION_CHARS + " characters");
        }
        if (top < 1 || top > MAX_TOP) {
            throw new GlimpseException("top: must be between 1 and " + MAX_TOP + ", got " + top);
        }
    }
}

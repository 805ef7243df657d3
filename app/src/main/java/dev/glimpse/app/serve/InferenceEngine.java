package dev.glimpse.app.serve;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * What the web server needs from the models. Implementations wrap the same predictors the
 * command line uses; they need not be thread-safe, the server calls them from one worker.
 */
public interface InferenceEngine {
    /** Whether a captioner / VQA model is loaded; a missing one makes its endpoint answer 404. */
    boolean hasCaptioner();

    boolean hasVqa();

    CaptionResponse caption(BufferedImage image, int beam);

    AskResponse ask(BufferedImage image, String question, int top);

    /** Model descriptions for GET /api/models (kind, encoder, vocabulary sizes, training record summary). */
    Map<String, Object> info();

    record WordAttention(String word, float[] weights) {}

    record Alternative(String caption, double score) {}

    /** Attention weights of each word over a gridRows x gridCols grid (row-major). */
    record CaptionResponse(String caption, double score, List<Alternative> alternatives,
                           List<WordAttention> words, int gridRows, int gridCols, double millis) {}

    record Answer(String answer, double probability) {}

    record AskResponse(String question, List<Answer> answers, double millis) {}
}

package dev.glimpse.app.service;

import java.util.Map;

/**
 * Answers questions about images with one loaded model: what {@code glimpse ask}, {@code evaluate
 * vqa --model}, the quick start and {@code POST /api/ask} all call. Not thread-safe.
 */
public interface VqaService extends AutoCloseable {
    AskResult ask(AskRequest request);

    /** What GET /api/models shows. */
    Map<String, Object> describe();

    @Override
    void close();
}

package dev.glimpse.app.service;

import java.util.Map;

/**
 * Captions images with one loaded model: what {@code glimpse caption}, {@code evaluate captions
 * --model}, the quick start and {@code POST /api/caption} all call. Not thread-safe.
 */
public interface CaptionService extends AutoCloseable {
    CaptionResult caption(CaptionRequest request);

    /** What GET /api/models shows: file, encoder, vocabulary size, how it was trained. */
    Map<String, Object> describe();

    @Override
    void close();
}

package dev.glimpse.app.service;

import java.util.List;
import java.util.Map;

/**
 * Captions images with one loaded model: what {@code glimpse caption}, {@code evaluate captions
 * --model}, the quick start and {@code POST /api/caption} all call. Not thread-safe.
 */
public interface CaptionService extends AutoCloseable {
    CaptionResult caption(CaptionRequest request);

    /**
     * Captions images with the same settings, one result per image in order (its caption, or its
     * one error): what the server's worker calls with the requests it batched together. A service
     * that can, decodes and encodes them together; this default captions them one by one.
     */
    default List<CaptionResult> captionEach(List<ImageInput> images, CaptionSettings settings) {
        return images.stream().map(i -> caption(new CaptionRequest(List.of(i), settings))).toList();
    }

    /** What GET /api/models shows: file, encoder, vocabulary size, how it was trained. */
    Map<String, Object> describe();

    @Override
    void close();
}

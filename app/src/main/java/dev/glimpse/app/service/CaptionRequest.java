package dev.glimpse.app.service;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Images to caption and how.
 *
 * @param attentionMaps where to draw each image's attention map as a PNG (null = none; a function
 *                      returning null skips that image)
 */
public record CaptionRequest(List<ImageInput> images, CaptionSettings settings, Function<ImageInput, Path> attentionMaps) {
    public CaptionRequest {
        images = List.copyOf(images);
    }

    public CaptionRequest(List<ImageInput> images, CaptionSettings settings) {
        this(images, settings, null);
    }
}

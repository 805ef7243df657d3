package dev.glimpse.app.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * Captions of a request's images, in request order, and the images that could not be read. The
 * same JSON for {@code glimpse caption --json} and {@code POST /api/caption} (one image).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record CaptionResult(String model, List<ImageCaption> captions, List<ImageFailure> errors) {
    public CaptionResult {
        captions = List.copyOf(captions);
        errors = List.copyOf(errors);
    }

    /** One image's caption; {@code alternatives} are the other finished beams, best first (empty when greedy). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ImageCaption(String image, String caption, double score, boolean ended, List<Alternative> alternatives,
                               Attention attention) {}

    public record Alternative(String caption, double score) {}

    /** Per word the attention weights over a gridRows x gridCols grid (row-major); {@code map} = the PNG drawn, if any. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Attention(int gridRows, int gridCols, List<WordWeights> words, String map) {}

    public record WordWeights(String word, float[] weights) {}

    /** An input that could not be captioned, with the one-line reason. */
    public record ImageFailure(String image, String error) {}
}

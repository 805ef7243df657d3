package dev.glimpse.captioning.model;

import java.util.List;

/**
 * A caption for one image.
 *
 * @param text         the words joined by spaces
 * @param tokens       the words
 * @param score        the decoder's ranking score (log probability, length-normalised if asked)
 * @param ended        false when the step cap cut the caption before the model said {@code <end>}
 * @param alternatives the other beams, best first (empty for greedy decoding)
 * @param attention    per word the attention weights over the encoder grid, [words][gridRows*gridCols]
 *                     in row-major grid order; null for a model without attention
 */
public record Caption(String text, List<String> tokens, double score, boolean ended, List<Alternative> alternatives,
                      float[][] attention, int gridRows, int gridCols) {
    public Caption {
        tokens = List.copyOf(tokens);
        alternatives = List.copyOf(alternatives);
    }

    /** Another candidate caption with its score. */
    public record Alternative(String text, double score) {}
}

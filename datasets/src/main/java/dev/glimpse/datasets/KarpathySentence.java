package dev.glimpse.datasets;

import java.util.List;

/** One caption of a Karpathy split file: the raw text and the split's own lower-case tokens. */
public record KarpathySentence(long sentId, String raw, List<String> tokens) {
    public KarpathySentence {
        tokens = List.copyOf(tokens);
    }
}

package dev.glimpse.captioning.decode;

import java.util.List;

/** The chosen caption of one image and the runner-up beams, best first. */
public record Decoded(Hypothesis best, List<Hypothesis> alternatives) {
    public Decoded {
        alternatives = List.copyOf(alternatives);
    }
}

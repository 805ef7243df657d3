package dev.glimpse.captioning.eval;

import java.util.List;

/** Argument checks shared by the scorers: these are programming errors, not user input. */
final class Checks {
    private Checks() {}

    static void sameSize(List<List<String>> references, List<String> candidates) {
        if (references.size() != candidates.size()) {
            throw new IllegalArgumentException(references.size() + " reference sets for "
                    + candidates.size() + " candidates");
        }
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no images to score");
        }
        for (int i = 0; i < references.size(); i++) {
            if (references.get(i).isEmpty()) {
                throw new IllegalArgumentException("image " + i + " has no references");
            }
        }
    }
}

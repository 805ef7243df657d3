package dev.glimpse.captioning.eval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The n-gram counts of one caption for n = 1..maxN, as coco-caption's {@code precook}: words from
 * Python's whitespace split, each order in its own map keyed by the words joined with a space
 * (unambiguous, since words contain no whitespace), in first-occurrence order.
 */
final class NGrams {
    final int length;
    /** {@code counts.get(k - 1)}: k-gram -> count. */
    final List<Map<String, Integer>> counts;

    private NGrams(int length, List<Map<String, Integer>> counts) {
        this.length = length;
        this.counts = counts;
    }

    static NGrams of(String tokenized, int maxN) {
        List<String> words = PyStrings.splitWhitespace(tokenized);
        List<Map<String, Integer>> counts = new ArrayList<>(maxN);
        for (int k = 1; k <= maxN; k++) {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (int i = 0; i + k <= words.size(); i++) {
                m.merge(String.join(" ", words.subList(i, i + k)), 1, Integer::sum);
            }
            counts.add(m);
        }
        return new NGrams(words.size(), counts);
    }
}

package dev.glimpse.captioning.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RougeLTest {
    private static double f(double p, double r) {
        return (1 + 1.44) * p * r / (r + 1.44 * p);
    }

    @Test
    void knownLcs() {
        // LCS("a b c d", "a x c y d z") = "a c d" = 3: P = 3/4, R = 3/6.
        assertEquals(3, RougeL.lcs("a x c y d z".split(" "), "a b c d".split(" ")));
        MetricScore s = RougeL.score(List.of(List.of("a x c y d z")), List.of("a b c d"));
        assertEquals(f(0.75, 0.5), s.corpus(), 1e-12);
    }

    @Test
    void bestPrecisionAndBestRecallComeFromDifferentReferences() {
        // ref1 "a b": LCS 2 -> P 2/4, R 1. ref2 "a b c d e f g h": LCS 4 -> P 1, R 4/8.
        MetricScore s = RougeL.score(List.of(List.of("a b", "a b c d e f g h")), List.of("a b c d"));
        assertEquals(f(1.0, 1.0), s.corpus(), 1e-12);
    }

    @Test
    void pycocoevalcapSpecialCases() {
        // split(" ") makes "" one empty word: an empty candidate matches an empty reference.
        assertEquals(1.0, RougeL.score(List.of(List.of("", "a dog")), List.of("")).corpus(), 1e-12);
        assertEquals(0.0, RougeL.score(List.of(List.of("a dog")), List.of("")).corpus(), 0);
        assertEquals(0.0, RougeL.score(List.of(List.of("a dog")), List.of("cat")).corpus(), 0);
        assertEquals(1.0, RougeL.score(List.of(List.of("one")), List.of("one")).corpus(), 1e-12);
    }

    @Test
    void meanOverImagesMatchesIndependentImplementation() {
        Corpus c = Corpus.random(5, 60);
        MetricScore got = RougeL.score(c.refs(), c.cands());
        double[] want = ReferenceMetrics.rouge(c.refs(), c.cands());
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got.image(i), 1e-12, "image " + i);
        }
        assertEquals(ReferenceMetrics.mean(want), got.corpus(), 1e-12);
    }
}

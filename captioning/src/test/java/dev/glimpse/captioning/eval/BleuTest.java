package dev.glimpse.captioning.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class BleuTest {
    @Test
    void identicalCaptionScoresOne() {
        List<MetricScore> b = Bleu.score(List.of(List.of("a man riding a horse on the beach")),
                List.of("a man riding a horse on the beach"));
        for (MetricScore s : b) {
            assertEquals(1.0, s.corpus(), 1e-9, s.name());
            assertEquals(1.0, s.image(0), 1e-9, s.name());
        }
    }

    @Test
    void shortCandidateByHand() {
        // 3 words against 6: all 1..3-grams match, no 4-gram exists, brevity penalty exp(1 - 6/3).
        List<MetricScore> b = Bleu.score(List.of(List.of("the cat sat on the mat")), List.of("the cat sat"));
        double bp = Math.exp(-1);
        assertEquals(bp, b.get(0).corpus(), 1e-9);
        assertEquals(bp, b.get(1).corpus(), 1e-9);
        assertEquals(bp, b.get(2).corpus(), 1e-9);
        // BLEU-4: the empty 4-gram precision is (0 + 1e-15) / (0 + 1e-9) = 1e-6, not 0 and not smoothed away.
        assertEquals(Math.pow(1e-6, 0.25) * bp, b.get(3).corpus(), 1e-9);
    }

    @Test
    void clippingAndClosestLength() {
        // "the the the the" vs refs of length 2 and 6: clipped unigram matches 2 of 4; closest length
        // to 4 is a tie between 2 and 6 -> the shorter, 2, so no brevity penalty.
        List<MetricScore> b = Bleu.score(List.of(List.of("the cat", "the cat and the dog sat")),
                List.of("the the the the"));
        assertEquals(2.0 / 4, b.get(0).corpus(), 1e-9);
        assertEquals(2, Bleu.closestLength(new int[] {6, 2}, 4));
        assertEquals(5, Bleu.closestLength(new int[] {3, 5, 9}, 5));
    }

    @Test
    void emptyCandidateIsNearZero() {
        List<MetricScore> b = Bleu.score(List.of(List.of("a dog")), List.of(""));
        for (MetricScore s : b) {
            assertEquals(0.0, s.corpus(), 1e-6);
        }
    }

    @Test
    void matchesIndependentImplementation() {
        Corpus c = Corpus.random(11, 40);
        List<MetricScore> got = Bleu.score(c.refs(), c.cands());
        double[][] want = ReferenceMetrics.bleu(c.refs(), c.cands());
        for (int k = 0; k < 4; k++) {
            assertEquals(want[4][k], got.get(k).corpus(), 1e-9, "corpus Bleu_" + (k + 1));
            for (int i = 0; i < c.cands().size(); i++) {
                assertEquals(want[k][i], got.get(k).image(i), 1e-9, "image " + i + " Bleu_" + (k + 1));
            }
        }
    }
}

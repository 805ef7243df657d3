package dev.glimpse.captioning.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class CiderDTest {
    @Test
    void oneImageAloneScoresZero() {
        MetricScore s = CiderD.score(List.of(List.of("a man riding a horse")), List.of("a man riding a horse"));
        assertEquals(0.0, s.corpus(), 0);
    }

    @Test
    void twoPerfectImagesByHand() {
        // Each image: every n-gram has df 1 of N 2, idf ln 2; 1- and 2-gram cosines are 1, the 3- and
        // 4-gram vectors are empty (0); mean over n = 0.5, times 10 = 5.
        MetricScore s = CiderD.score(List.of(List.of("a b"), List.of("c d")), List.of("a b", "c d"));
        assertEquals(5.0, s.image(0), 1e-12);
        assertEquals(5.0, s.image(1), 1e-12);
        assertEquals(5.0, s.corpus(), 1e-12);
    }

    @Test
    void clippingAndLengthPenaltyByHand() {
        // Image 0: hyp "a b b" vs ref "a b". Unigrams: h = (a ln2, b 2ln2), r = (a ln2, b ln2),
        // clipped dot = 2 ln2^2, norms sqrt5 ln2 and sqrt2 ln2 -> 2/sqrt10. Bigrams: h = (ab ln2,
        // bb ln2 [df 0 -> max(1, 0)]), r = (ab ln2) -> 1/sqrt2. 2-gram counts 2 vs 1 -> delta 1.
        MetricScore s = CiderD.score(List.of(List.of("a b"), List.of("c d")), List.of("a b b", "x"));
        double want = 10 * (2 / Math.sqrt(10) + 1 / Math.sqrt(2)) / 4 * Math.exp(-1 / 72.0);
        assertEquals(want, s.image(0), 1e-12);
        assertEquals(0.0, s.image(1), 0);
        assertEquals(want / 2, s.corpus(), 1e-12);
    }

    @Test
    void averagesOverReferences() {
        // Image 0 has a perfect reference and an unrelated one: half of the perfect score.
        MetricScore s = CiderD.score(List.of(List.of("a b", "e f"), List.of("c d")), List.of("a b", "c d"));
        double perfect = 10 * (1 + 1) / 4.0;
        // "a b" vs "e f": no shared n-grams -> 0; deltas are 0.
        assertEquals(perfect / 2, s.image(0), 1e-12);
    }

    @Test
    void matchesIndependentImplementation() {
        Corpus c = Corpus.random(3, 50);
        MetricScore got = CiderD.score(c.refs(), c.cands());
        double[] want = ReferenceMetrics.cider(c.refs(), c.cands());
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got.image(i), 1e-9, "image " + i);
        }
        assertEquals(ReferenceMetrics.mean(want), got.corpus(), 1e-9);
    }

    /** A corpus fixed once scores each caption as the corpus score does when the scored images are the corpus. */
    @Test
    void corpusScoresEqualTheCorpusScorePerImage() {
        Corpus c = Corpus.random(5, 30);
        MetricScore whole = CiderD.score(c.refs(), c.cands());
        CiderD.Corpus corpus = new CiderD.Corpus(c.refs());
        for (int i = 0; i < c.cands().size(); i++) {
            assertEquals(whole.image(i), corpus.score(c.cands().get(i), i), 1e-12, "image " + i);
        }
        // Other document frequencies, other scores: the idf is the corpus's, not the scored caption's.
        CiderD.Corpus small = new CiderD.Corpus(c.refs().subList(0, 3));
        double differs = 0;
        for (int i = 0; i < 3; i++) {
            differs += Math.abs(small.score(c.cands().get(i), i) - whole.image(i));
        }
        org.junit.jupiter.api.Assertions.assertTrue(differs > 1e-6);
        org.junit.jupiter.api.Assertions.assertThrows(IndexOutOfBoundsException.class, () -> small.score("a b", 3));
    }
}

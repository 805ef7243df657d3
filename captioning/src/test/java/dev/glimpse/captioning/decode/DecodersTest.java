package dev.glimpse.captioning.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecodersTest {
    private static final int A = 4, B = 5, C = 6, D = 7;

    @Test
    void beamWidthOneEqualsGreedyOnRandomModels() {
        for (long seed = 1; seed <= 20; seed++) {
            int images = 4;
            FakeStep.Model m = FakeStep.random(seed, 30, 1.5);
            DecodeOptions opt = new DecodeOptions(1, 12, 0, true);
            List<Decoded> greedy = new GreedyDecoder(opt).decode(new FakeStep(m, images, 5), images);
            List<Decoded> beam = new BeamSearchDecoder(opt).decode(new FakeStep(m, images, 5), images);
            for (int i = 0; i < images; i++) {
                Hypothesis g = greedy.get(i).best(), b = beam.get(i).best();
                assertArrayEquals(g.words(), b.words(), "seed " + seed + " image " + i);
                assertEquals(g.logProb(), b.logProb(), 1e-9);
                assertEquals(g.ended(), b.ended());
                assertEquals(g.attention().length, b.attention().length);
                for (int w = 0; w < g.words().length; w++) {
                    assertArrayEquals(g.attention()[w], b.attention()[w]);
                }
            }
        }
    }

    @Test
    void beamFindsTheMoreProbableCaptionGreedyMisses() {
        // Greedy takes A (0.55) then must end with 0.4: 0.22. Beam keeps B (0.45) whose end is 0.9: 0.405.
        FakeStep.Model m = (image, prefix) -> {
            if (prefix.isEmpty()) {
                return FakeStep.dist(8, A, 550, B, 450);
            }
            if (prefix.equals(List.of(A))) {
                return FakeStep.dist(8, TokenRules.END, 400, C, 350, D, 250);
            }
            if (prefix.equals(List.of(B))) {
                return FakeStep.dist(8, TokenRules.END, 900, C, 100);
            }
            return FakeStep.dist(8, TokenRules.END, 1000);
        };
        DecodeOptions opt = new DecodeOptions(2, 10, 0, true);
        Hypothesis g = new GreedyDecoder(opt).decode(new FakeStep(m, 1, 0), 1).get(0).best();
        Decoded beam = new BeamSearchDecoder(opt).decode(new FakeStep(m, 1, 0), 1).get(0);
        assertArrayEquals(new int[] {A}, g.words());
        assertEquals(Math.log(0.55f) + Math.log(0.4f), g.logProb(), 1e-6);
        assertArrayEquals(new int[] {B}, beam.best().words());
        assertTrue(beam.best().ended());
        assertEquals(Math.log(0.45f) + Math.log(0.9f), beam.best().logProb(), 1e-6);
        assertTrue(beam.best().logProb() > g.logProb());
        // The runner-up is greedy's caption, and no attention is invented for a model without it.
        assertEquals(1, beam.alternatives().size());
        assertArrayEquals(new int[] {A}, beam.alternatives().get(0).words());
        assertEquals(null, beam.best().attention());
    }

    @Test
    void endThatNeverComesFallsBackToTheBestCutBeam() {
        FakeStep.Model noEnd = (image, prefix) -> {
            float[] p = FakeStep.random(7, 20, 2.0).probs(image, prefix);
            p[TokenRules.END] = 0;
            return p;
        };
        for (int width : new int[] {1, 3, 5}) {
            DecodeOptions opt = new DecodeOptions(width, 9, 0, true);
            FakeStep step = new FakeStep(noEnd, 3, 4);
            List<Decoded> out = CaptionDecoder.of(opt).decode(step, 3);
            assertEquals(3, out.size());
            for (Decoded d : out) {
                assertEquals(9, d.best().words().length, "width " + width);
                assertFalse(d.best().ended());
                assertTrue(Double.isFinite(d.best().score()));
                for (int id : d.best().words()) {
                    assertTrue(id >= 4 && id < 20, "only real words, got " + id);
                }
                assertEquals(9, d.best().attention().length);
            }
            assertEquals(9, step.steps, "the step cap ends the search");
        }
    }

    @Test
    void modelThatGivesNothingToAllowedWordsStillReturnsACaption() {
        // Only <unk> and <start> have probability: suppressed and forbidden, so nothing can be said.
        FakeStep.Model dead = (image, prefix) -> FakeStep.dist(6, TokenRules.UNK, 700, TokenRules.START, 300);
        for (int width : new int[] {1, 2}) {
            Decoded d = CaptionDecoder.of(new DecodeOptions(width, 5, 0, true)).decode(new FakeStep(dead, 1, 0), 1).get(0);
            assertEquals(0, d.best().words().length);
            assertFalse(d.best().ended());
        }
    }

    @Test
    void unkIsSuppressedOnlyWhenAsked() {
        FakeStep.Model m = (image, prefix) -> prefix.isEmpty()
                ? FakeStep.dist(8, TokenRules.UNK, 600, A, 400)
                : FakeStep.dist(8, TokenRules.END, 1000);
        for (int width : new int[] {1, 3}) {
            assertArrayEquals(new int[] {A}, CaptionDecoder.of(new DecodeOptions(width, 5, 0, true))
                    .decode(new FakeStep(m, 1, 0), 1).get(0).best().words());
            assertArrayEquals(new int[] {TokenRules.UNK}, CaptionDecoder.of(new DecodeOptions(width, 5, 0, false))
                    .decode(new FakeStep(m, 1, 0), 1).get(0).best().words());
        }
    }

    @Test
    void endIsNotAllowedAsTheFirstWord() {
        FakeStep.Model m = (image, prefix) -> prefix.isEmpty()
                ? FakeStep.dist(8, TokenRules.END, 900, C, 100)
                : FakeStep.dist(8, TokenRules.END, 1000);
        for (int width : new int[] {1, 3}) {
            Hypothesis h = CaptionDecoder.of(new DecodeOptions(width, 5, 0, true)).decode(new FakeStep(m, 1, 0), 1).get(0).best();
            assertArrayEquals(new int[] {C}, h.words());
            assertTrue(h.ended());
        }
    }

    @Test
    void lengthNormalisationCanPreferTheLongerCaption() {
        // "A <end>" = 0.5*0.5 = 0.25; "B C D <end>" = 0.5*0.6*0.6*0.9 = 0.162: shorter wins on raw
        // log probability, the longer one per token (alpha = 1: -0.693 vs -0.455).
        FakeStep.Model m = (image, prefix) -> {
            if (prefix.isEmpty()) {
                return FakeStep.dist(8, A, 500, B, 500);
            }
            if (prefix.equals(List.of(A))) {
                return FakeStep.dist(8, TokenRules.END, 500, D, 500);
            }
            if (prefix.equals(List.of(B))) {
                return FakeStep.dist(8, C, 600, TokenRules.END, 400);
            }
            if (prefix.equals(List.of(B, C))) {
                return FakeStep.dist(8, D, 600, TokenRules.END, 400);
            }
            if (prefix.equals(List.of(B, C, D))) {
                return FakeStep.dist(8, TokenRules.END, 900, A, 100);
            }
            return FakeStep.dist(8, TokenRules.END, 100, A, 900);
        };
        Hypothesis raw = new BeamSearchDecoder(new DecodeOptions(3, 10, 0, true)).decode(new FakeStep(m, 1, 0), 1).get(0).best();
        Hypothesis norm = new BeamSearchDecoder(new DecodeOptions(3, 10, 1.0, true)).decode(new FakeStep(m, 1, 0), 1).get(0).best();
        assertArrayEquals(new int[] {A}, raw.words());
        assertArrayEquals(new int[] {B, C, D}, norm.words());
        assertEquals(norm.logProb() / 4, norm.score(), 1e-9);
    }

    @Test
    void batchedBeamSearchEqualsOneImageAtATimeAndKeepsTheChosenBeamsAttention() {
        FakeStep.Model m = FakeStep.random(3, 25, 1.2);
        DecodeOptions opt = new DecodeOptions(4, 12, 0.7, true);
        int images = 5;
        FakeStep batched = new FakeStep(m, images, 6);
        List<Decoded> all = new BeamSearchDecoder(opt).decode(batched, images);
        assertTrue(batched.maxRows <= images * 4);
        for (int i = 0; i < images; i++) {
            final int image = i;
            FakeStep.Model only = (im, prefix) -> m.probs(image, prefix);
            Decoded alone = new BeamSearchDecoder(opt).decode(new FakeStep(only, 1, 0), 1).get(0);
            assertArrayEquals(alone.best().words(), all.get(i).best().words(), "image " + i);
            assertEquals(alone.best().score(), all.get(i).best().score(), 1e-9);
            // Attention of word j is what the step reported when it predicted word j of THIS beam.
            int[] words = all.get(i).best().words();
            float[][] att = all.get(i).best().attention();
            assertNotNull(att);
            assertEquals(words.length, att.length);
            List<Integer> prefix = new ArrayList<>();
            for (int j = 0; j < words.length; j++) {
                assertArrayEquals(FakeStep.attentionFor(i, prefix, 6), att[j], "image " + i + " word " + j);
                prefix.add(words[j]);
            }
            // Alternatives are distinct and ranked.
            double last = all.get(i).best().score();
            for (Hypothesis h : all.get(i).alternatives()) {
                assertTrue(h.score() <= last);
                last = h.score();
            }
        }
    }
}

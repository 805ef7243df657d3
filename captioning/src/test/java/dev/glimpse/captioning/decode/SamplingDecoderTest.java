package dev.glimpse.captioning.decode;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplingDecoderTest {
    private static final int V = 6; // pad 0, start 1, end 2, unk 3, words 4 and 5

    /** First word 4 or 5 with probability 0.7 / 0.3 (unk and end carry mass too, but are not allowed), then end. */
    private static float[] model(int image, List<Integer> prefix) {
        float[] p = new float[V];
        if (prefix.isEmpty()) {
            p[TokenRules.END] = 0.2f;
            p[TokenRules.UNK] = 0.3f;
            p[4] = 0.35f;
            p[5] = 0.15f;
        } else {
            p[TokenRules.END] = 1f;
        }
        return p;
    }

    private static SplittableRandom[] generators(long seed, int rows) {
        SplittableRandom base = new SplittableRandom(seed);
        SplittableRandom[] out = new SplittableRandom[rows];
        for (int i = 0; i < rows; i++) {
            out[i] = base.split();
        }
        return out;
    }

    @Test
    void drawsAllowedWordsWithTheirRenormalisedProbabilities() {
        int rows = 4000;
        List<Decoded> d = new SamplingDecoder(DecodeOptions.greedy(5), generators(3, rows))
                .decode(new FakeStep(SamplingDecoderTest::model, rows, 0), rows);
        int fours = 0;
        for (Decoded x : d) {
            Hypothesis h = x.best();
            assertEquals(1, h.length());
            assertTrue(h.ended());
            int w = h.words()[0];
            assertTrue(w == 4 || w == 5, "drew " + w);
            fours += w == 4 ? 1 : 0;
            assertEquals(Math.log(w == 4 ? 0.35f : 0.15f), h.logProb(), 1e-6);
        }
        double share = fours / (double) rows;
        assertEquals(0.7, share, 0.03); // 4000 draws: sd 0.007
    }

    @Test
    void theSameGeneratorDrawsTheSameCaptionsAndAnotherDrawsOthers() {
        FakeStep.Model m = (image, prefix) -> {
            float[] p = new float[V];
            p[TokenRules.END] = prefix.size() < 2 ? 0.2f : 0.6f;
            p[4] = 0.5f;
            p[5] = prefix.size() < 2 ? 0.3f : 0.0f;
            p[TokenRules.END] += 1f - 0.2f - 0.5f - 0.3f;
            return p;
        };
        int rows = 50;
        List<Decoded> a = new SamplingDecoder(DecodeOptions.greedy(8), generators(11, rows)).decode(new FakeStep(m, rows, 0), rows);
        List<Decoded> b = new SamplingDecoder(DecodeOptions.greedy(8), generators(11, rows)).decode(new FakeStep(m, rows, 0), rows);
        List<Decoded> c = new SamplingDecoder(DecodeOptions.greedy(8), generators(12, rows)).decode(new FakeStep(m, rows, 0), rows);
        boolean anyDiffers = false;
        for (int i = 0; i < rows; i++) {
            assertArrayEquals(a.get(i).best().words(), b.get(i).best().words());
            anyDiffers |= !java.util.Arrays.equals(a.get(i).best().words(), c.get(i).best().words());
            assertTrue(a.get(i).best().length() <= 8);
        }
        assertTrue(anyDiffers);
    }

    @Test
    void stopsAtTheStepCapAndWhenNothingAllowedIsLeft() {
        FakeStep.Model never = (image, prefix) -> {
            float[] p = new float[V];
            p[4] = 1f;
            return p;
        };
        Hypothesis cut = new SamplingDecoder(DecodeOptions.greedy(3), generators(1, 1))
                .decode(new FakeStep(never, 1, 0), 1).get(0).best();
        assertArrayEquals(new int[] {4, 4, 4}, cut.words());
        assertFalse(cut.ended());
        FakeStep.Model onlyUnk = (image, prefix) -> {
            float[] p = new float[V];
            p[TokenRules.UNK] = 1f;
            return p;
        };
        Hypothesis none = new SamplingDecoder(DecodeOptions.greedy(3), generators(1, 1))
                .decode(new FakeStep(onlyUnk, 1, 0), 1).get(0).best();
        assertEquals(0, none.length());
        assertFalse(none.ended());
    }

    /** Row i draws from generator i alone: the same generator gives the same caption in any batch. */
    @Test
    void aRowsDrawsDependOnItsOwnGeneratorOnly() {
        FakeStep.Model m = (image, prefix) -> {
            float[] p = new float[V];
            p[TokenRules.END] = prefix.size() < 3 ? 0.1f : 0.5f;
            p[4] = 0.45f;
            p[5] = 1f - 0.45f - p[TokenRules.END];
            return p;
        };
        SplittableRandom[] three = generators(5, 3);
        List<Decoded> together = new SamplingDecoder(DecodeOptions.greedy(10), three).decode(new FakeStep(m, 3, 0), 3);
        SplittableRandom[] again = generators(5, 3);
        Decoded alone = new SamplingDecoder(DecodeOptions.greedy(10), new SplittableRandom[] {again[2]})
                .decode(new FakeStep(m, 1, 0), 1).get(0);
        assertArrayEquals(together.get(2).best().words(), alone.best().words());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new SamplingDecoder(DecodeOptions.greedy(10), generators(1, 2)).decode(new FakeStep(m, 3, 0), 3));
    }
}

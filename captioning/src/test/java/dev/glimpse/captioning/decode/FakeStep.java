package dev.glimpse.captioning.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A decoder step whose next-word distribution is a pure function of (image, words so far), so the
 * same caption gets the same probabilities however rows are batched, reordered or dropped.
 */
final class FakeStep implements DecoderStep {
    interface Model {
        float[] probs(int image, List<Integer> prefix);
    }

    private final Model model;
    private final int regions;
    private List<Integer> images = new ArrayList<>();
    private List<List<Integer>> prefixes = new ArrayList<>();
    private float[][] lastAttention;
    private float[][] lastProbs;
    int steps;
    int maxRows;

    FakeStep(Model model, int images, int regions) {
        this.model = model;
        this.regions = regions;
        for (int i = 0; i < images; i++) {
            this.images.add(i);
            this.prefixes.add(new ArrayList<>());
        }
    }

    @Override
    public float[][] next(int[] tokens) {
        if (tokens.length != images.size()) {
            throw new AssertionError("fed " + tokens.length + " tokens to " + images.size() + " rows");
        }
        steps++;
        maxRows = Math.max(maxRows, tokens.length);
        // What a step returned is valid until its next call (DecoderStep): spoil it, so a decoder that keeps it fails.
        for (float[][] old : new float[][][] {lastProbs, lastAttention}) {
            for (float[] row : old == null ? new float[0][] : old) {
                Arrays.fill(row, Float.NaN);
            }
        }
        float[][] out = new float[tokens.length][];
        lastAttention = regions > 0 ? new float[tokens.length][] : null;
        for (int r = 0; r < tokens.length; r++) {
            if (tokens[r] != TokenRules.START) {
                prefixes.get(r).add(tokens[r]);
            }
            out[r] = model.probs(images.get(r), prefixes.get(r)).clone();
            if (regions > 0) {
                lastAttention[r] = attentionFor(images.get(r), prefixes.get(r), regions);
            }
        }
        lastProbs = out;
        return out;
    }

    /** The attention a row reports for its next word: a function of the prefix, to check bookkeeping. */
    static float[] attentionFor(int image, List<Integer> prefix, int regions) {
        float[] a = new float[regions];
        a[Math.floorMod(image * 7 + prefix.hashCode(), regions)] = 1;
        return a;
    }

    @Override
    public void select(int[] rows) {
        List<Integer> im = new ArrayList<>();
        List<List<Integer>> pre = new ArrayList<>();
        for (int r : rows) {
            im.add(images.get(r));
            pre.add(new ArrayList<>(prefixes.get(r)));
        }
        images = im;
        prefixes = pre;
    }

    @Override
    public float[][] attention() {
        return lastAttention;
    }

    /** A random but fixed distribution per (seed, image, prefix): softmax of hashed logits. */
    static Model random(long seed, int vocab, double sharpness) {
        return (image, prefix) -> {
            java.util.Random rnd = new java.util.Random(seed * 1_000_003L + image * 7919L + prefix.hashCode());
            double[] z = new double[vocab];
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < vocab; i++) {
                z[i] = rnd.nextGaussian() * sharpness;
                // Make <end> more likely as captions grow so most of them end on their own.
                if (i == TokenRules.END) {
                    z[i] += prefix.size() - 3;
                }
                max = Math.max(max, z[i]);
            }
            float[] p = new float[vocab];
            double sum = 0;
            for (int i = 0; i < vocab; i++) {
                sum += Math.exp(z[i] - max);
            }
            for (int i = 0; i < vocab; i++) {
                p[i] = (float) (Math.exp(z[i] - max) / sum);
            }
            return p;
        };
    }

    static float[] dist(int vocab, int... idAndPermille) {
        float[] p = new float[vocab];
        for (int i = 0; i < idAndPermille.length; i += 2) {
            p[idAndPermille[i]] = idAndPermille[i + 1] / 1000f;
        }
        return p;
    }

    static String show(int[] words) {
        return Arrays.toString(words);
    }
}

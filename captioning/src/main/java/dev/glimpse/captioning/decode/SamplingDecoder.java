package dev.glimpse.captioning.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws one caption per row from the model's own distribution: each step a word with its probability among the
 * allowed ones ({@link TokenRules}, renormalised), until {@code <end>} or the step cap. Self-critical training
 * learns from such samples; the draws come from the generator handed in, so a seeded run draws the same captions.
 */
public final class SamplingDecoder implements CaptionDecoder {
    private final DecodeOptions options;
    private final TokenRules rules;
    private final SplittableRandom random;

    public SamplingDecoder(DecodeOptions options, SplittableRandom random) {
        this.options = options;
        this.rules = new TokenRules(options);
        this.random = random;
    }

    @Override
    public List<Decoded> decode(DecoderStep step, int rows) {
        int[] tokens = new int[rows];
        Arrays.fill(tokens, TokenRules.START);
        boolean[] running = new boolean[rows];
        Arrays.fill(running, true);
        boolean[] ended = new boolean[rows];
        double[] logProb = new double[rows];
        List<List<Integer>> words = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            words.add(new ArrayList<>());
        }
        int live = rows;
        for (int t = 0; t < options.maxLength() && live > 0; t++) {
            float[][] probs = step.next(tokens);
            for (int i = 0; i < rows; i++) {
                if (!running[i]) {
                    continue;
                }
                int id = draw(probs[i], t);
                if (id < 0) {
                    running[i] = false; // nothing allowed has probability > 0
                    live--;
                    continue;
                }
                logProb[i] += Math.log(probs[i][id]);
                if (id == TokenRules.END) {
                    ended[i] = true;
                    running[i] = false;
                    live--;
                } else {
                    words.get(i).add(id);
                }
                tokens[i] = id;
            }
        }
        List<Decoded> out = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            int[] w = words.get(i).stream().mapToInt(Integer::intValue).toArray();
            int length = w.length + (ended[i] ? 1 : 0);
            out.add(new Decoded(new Hypothesis(w, logProb[i], options.score(logProb[i], length), ended[i], null), List.of()));
        }
        return out;
    }

    /** An allowed id drawn with probability p[id] / (sum of allowed p), or -1 when that sum is 0. */
    int draw(float[] p, int step) {
        double total = 0;
        for (int id = 0; id < p.length; id++) {
            if (p[id] > 0 && rules.allowed(id, step)) {
                total += p[id];
            }
        }
        if (!(total > 0)) {
            return -1;
        }
        double u = random.nextDouble() * total;
        int last = -1;
        for (int id = 0; id < p.length; id++) {
            if (p[id] > 0 && rules.allowed(id, step)) {
                last = id;
                u -= p[id];
                if (u < 0) {
                    return id;
                }
            }
        }
        return last; // rounding left u >= 0 after the last allowed id
    }
}

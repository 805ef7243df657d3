package dev.glimpse.captioning.decode;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Draws one caption per row from the model's own distribution: each step a word with its probability among the
 * allowed ones ({@link TokenRules}, renormalised), until {@code <end>} or the step cap. Self-critical training
 * learns from such samples; row i draws from generator i handed in, so seeded generators draw the same captions
 * however the rows are batched.
 */
public final class SamplingDecoder implements CaptionDecoder {
    private final TokenRules rules;
    private final SplittableRandom[] random;
    private final GreedyDecoder loop;

    /** @param random one generator per row of the batches it decodes */
    public SamplingDecoder(DecodeOptions options, SplittableRandom[] random) {
        this.rules = new TokenRules(options);
        this.random = random.clone();
        this.loop = new GreedyDecoder(options, this::draw);
    }

    @Override
    public List<Decoded> decode(DecoderStep step, int rows) {
        if (rows != random.length) {
            throw new IllegalArgumentException(rows + " rows for " + random.length + " generators");
        }
        return loop.decode(step, rows);
    }

    /** An allowed id drawn with probability p[id] / (sum of allowed p), or -1 when that sum is 0. */
    private int draw(float[] p, int row, int step) {
        double total = 0;
        for (int id = 0; id < p.length; id++) {
            if (p[id] > 0 && rules.allowed(id, step)) {
                total += p[id];
            }
        }
        if (!(total > 0)) {
            return -1;
        }
        double u = random[row].nextDouble() * total;
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

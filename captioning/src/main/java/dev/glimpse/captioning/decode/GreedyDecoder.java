package dev.glimpse.captioning.decode;

import java.util.ArrayList;
import java.util.List;

/**
 * Greedy decoding of a batch of images: every row takes its most probable allowed word each step.
 * Finished rows stay in the batch behind an unfinished mask (they are fed {@code <end>} and
 * ignored), so the batch never has to be rebuilt.
 */
public final class GreedyDecoder implements CaptionDecoder {
    /** How row {@code row}'s next word is chosen from its probabilities: an allowed id, or -1 when none can be. */
    interface Pick {
        int next(float[] probs, int row, int step);
    }

    private final DecodeOptions options;
    private final Pick pick;

    public GreedyDecoder(DecodeOptions options) {
        this(options, rulesArgmax(new TokenRules(options)));
    }

    private static Pick rulesArgmax(TokenRules rules) {
        return (probs, row, step) -> rules.argmax(probs, step);
    }

    /** The same loop with another choice of word per step (sampling: {@link SamplingDecoder}). */
    GreedyDecoder(DecodeOptions options, Pick pick) {
        this.options = options;
        this.pick = pick;
    }

    @Override
    public List<Decoded> decode(DecoderStep step, int images) {
        int[] tokens = new int[images];
        java.util.Arrays.fill(tokens, TokenRules.START);
        boolean[] unfinished = new boolean[images];
        java.util.Arrays.fill(unfinished, true);
        boolean[] ended = new boolean[images];
        double[] logProb = new double[images];
        List<List<Integer>> words = new ArrayList<>();
        List<List<float[]>> attention = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            words.add(new ArrayList<>());
            attention.add(new ArrayList<>());
        }
        boolean withAttention = false;
        int live = images;
        for (int t = 0; t < options.maxLength() && live > 0; t++) {
            float[][] probs = step.next(tokens);
            float[][] att = step.attention();
            withAttention |= att != null;
            for (int i = 0; i < images; i++) {
                if (!unfinished[i]) {
                    continue;
                }
                int id = pick.next(probs[i], i, t);
                if (id < 0) {
                    // Nothing allowed has probability > 0: stop this row rather than emit garbage.
                    unfinished[i] = false;
                    live--;
                    continue;
                }
                logProb[i] += Math.log(probs[i][id]);
                if (id == TokenRules.END) {
                    ended[i] = true;
                    unfinished[i] = false;
                    live--;
                } else {
                    words.get(i).add(id);
                    if (att != null) {
                        attention.get(i).add(att[i].clone());
                    }
                }
                tokens[i] = id;
            }
        }
        List<Decoded> out = new ArrayList<>(images);
        for (int i = 0; i < images; i++) {
            int[] w = words.get(i).stream().mapToInt(Integer::intValue).toArray();
            int length = w.length + (ended[i] ? 1 : 0);
            float[][] a = withAttention ? attention.get(i).toArray(new float[0][]) : null;
            out.add(new Decoded(new Hypothesis(w, logProb[i], options.score(logProb[i], length), ended[i], a),
                    List.of()));
        }
        return out;
    }
}

package dev.glimpse.captioning.decode;

import dev.glimpse.common.text.Vocabulary;

/**
 * Which tokens a decoder may emit at a step, shared by greedy and beam search so that beam width
 * 1 and greedy agree: never {@code <pad>} or {@code <start>}, never {@code <unk>} when suppressed,
 * and no {@code <end>} as the first token (an empty caption is never an answer).
 */
final class TokenRules {
    static final int PAD = Vocabulary.PAD;
    static final int START = Vocabulary.START;
    static final int END = Vocabulary.END;
    static final int UNK = Vocabulary.UNK;

    private final boolean suppressUnk;

    TokenRules(DecodeOptions options) {
        this.suppressUnk = options.suppressUnk();
    }

    boolean allowed(int id, int step) {
        return id != PAD && id != START && !(suppressUnk && id == UNK) && !(step == 0 && id == END);
    }

    /** The most probable allowed id of a row (lowest id on ties), or -1 if none has probability > 0. */
    int argmax(float[] p, int step) {
        int best = -1;
        float bestP = 0;
        for (int id = 0; id < p.length; id++) {
            if (p[id] > bestP && allowed(id, step)) {
                bestP = p[id];
                best = id;
            }
        }
        return best;
    }

    /**
     * The k most probable allowed ids of a row, most probable first (lowest id on ties), leaving
     * out ids of probability 0. The global best candidates of a beam step are always among each
     * row's own top k, so scanning rows this way avoids sorting k x V scores.
     */
    int[] topK(float[] p, int k, int step) {
        int[] ids = new int[k];
        float[] ps = new float[k];
        int n = 0;
        for (int id = 0; id < p.length; id++) {
            float v = p[id];
            if (v <= 0 || (n == k && v <= ps[k - 1]) || !allowed(id, step)) {
                continue;
            }
            int pos = n < k ? n++ : k - 1;
            while (pos > 0 && ps[pos - 1] < v) {
                ps[pos] = ps[pos - 1];
                ids[pos] = ids[pos - 1];
                pos--;
            }
            ps[pos] = v;
            ids[pos] = id;
        }
        return n == k ? ids : java.util.Arrays.copyOf(ids, n);
    }
}

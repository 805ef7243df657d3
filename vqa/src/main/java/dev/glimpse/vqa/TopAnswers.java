package dev.glimpse.vqa;

import java.util.ArrayList;
import java.util.List;

/** The k most probable answers of one row of answer probabilities. */
final class TopAnswers {
    private TopAnswers() {}

    /** Indices of the {@code k} largest values, largest first (ties: lower index first). */
    static int[] topK(float[] probs, int offset, int length, int k) {
        int n = Math.min(k, length);
        int[] best = new int[n];
        int filled = 0;
        for (int i = 0; i < length; i++) {
            float p = probs[offset + i];
            if (filled == n && p <= probs[offset + best[n - 1]]) {
                continue;
            }
            int pos = filled < n ? filled++ : n - 1;
            while (pos > 0 && probs[offset + best[pos - 1]] < p) {
                best[pos] = best[pos - 1];
                pos--;
            }
            best[pos] = i;
        }
        return best;
    }

    static List<ScoredAnswer> of(float[] probs, int offset, AnswerVocabulary answers, int k) {
        List<ScoredAnswer> out = new ArrayList<>();
        for (int i : topK(probs, offset, answers.size(), k)) {
            out.add(new ScoredAnswer(answers.answer(i), probs[offset + i]));
        }
        return out;
    }
}

package dev.glimpse.captioning.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BLEU-1..4 as coco-caption's {@code bleu_scorer.py} with option "closest": clipped n-gram counts
 * summed over the corpus, per image the reference length closest to the candidate's (ties go to the
 * shorter), and no smoothing beyond the scorer's own constants ({@link #TINY} in the numerator,
 * {@link #SMALL} in the denominator), which make a zero count give ~0 instead of a division error.
 * Per-image scores use the same formula on the image's own counts.
 */
public final class Bleu {
    public static final int MAX_N = 4;
    static final double SMALL = 1e-9;
    static final double TINY = 1e-15;

    private Bleu() {}

    /**
     * @param references tokenized references per image (each list non-empty)
     * @param candidates one tokenized candidate per image, same order
     * @return Bleu_1..Bleu_4
     */
    public static List<MetricScore> score(List<List<String>> references, List<String> candidates) {
        Checks.sameSize(references, candidates);
        int images = candidates.size();
        double[][] perImage = new double[MAX_N][images];
        long[] guess = new long[MAX_N];
        long[] correct = new long[MAX_N];
        long testTotal = 0;
        long refTotal = 0;
        for (int img = 0; img < images; img++) {
            Cooked c = cook(references.get(img), candidates.get(img));
            testTotal += c.testLen;
            refTotal += c.refLen;
            for (int k = 0; k < MAX_N; k++) {
                guess[k] += c.guess[k];
                correct[k] += c.correct[k];
            }
            double[] b = bleus(c.correct, c.guess, c.testLen, c.refLen);
            for (int k = 0; k < MAX_N; k++) {
                perImage[k][img] = b[k];
            }
        }
        double[] corpus = bleus(correct, guess, testTotal, refTotal);
        List<MetricScore> out = new ArrayList<>(MAX_N);
        for (int k = 0; k < MAX_N; k++) {
            out.add(new MetricScore("Bleu_" + (k + 1), corpus[k], perImage[k]));
        }
        return out;
    }

    /** BLEU-1..4 from counts: cumulative product of precisions, k-th root, brevity penalty. */
    private static double[] bleus(long[] correct, long[] guess, long testLen, long refLen) {
        double[] b = new double[MAX_N];
        double product = 1.0;
        for (int k = 0; k < MAX_N; k++) {
            product *= (correct[k] + TINY) / (guess[k] + SMALL);
            b[k] = Math.pow(product, 1.0 / (k + 1));
        }
        double ratio = (testLen + TINY) / (refLen + SMALL);
        if (ratio < 1) {
            double penalty = Math.exp(1 - 1 / ratio);
            for (int k = 0; k < MAX_N; k++) {
                b[k] *= penalty;
            }
        }
        return b;
    }

    private record Cooked(int testLen, int refLen, long[] guess, long[] correct) {}

    private static Cooked cook(List<String> refs, String candidate) {
        List<Map<String, Integer>> maxRefCounts = new ArrayList<>(MAX_N);
        for (int k = 0; k < MAX_N; k++) {
            maxRefCounts.add(new HashMap<>());
        }
        int[] refLens = new int[refs.size()];
        for (int r = 0; r < refs.size(); r++) {
            NGrams ref = NGrams.of(refs.get(r), MAX_N);
            refLens[r] = ref.length;
            for (int k = 0; k < MAX_N; k++) {
                Map<String, Integer> max = maxRefCounts.get(k);
                ref.counts.get(k).forEach((gram, count) -> max.merge(gram, count, Math::max));
            }
        }
        NGrams test = NGrams.of(candidate, MAX_N);
        long[] guess = new long[MAX_N];
        long[] correct = new long[MAX_N];
        for (int k = 0; k < MAX_N; k++) {
            guess[k] = Math.max(0, test.length - k);
            Map<String, Integer> max = maxRefCounts.get(k);
            for (Map.Entry<String, Integer> e : test.counts.get(k).entrySet()) {
                correct[k] += Math.min(max.getOrDefault(e.getKey(), 0), e.getValue());
            }
        }
        return new Cooked(test.length, closestLength(refLens, test.length), guess, correct);
    }

    /** min over (|len - testLen|, len): the closest reference length, the shorter on a tie. */
    static int closestLength(int[] refLens, int testLen) {
        int best = refLens[0];
        for (int len : refLens) {
            int d = Math.abs(len - testLen);
            int bestD = Math.abs(best - testLen);
            if (d < bestD || (d == bestD && len < best)) {
                best = len;
            }
        }
        return best;
    }
}

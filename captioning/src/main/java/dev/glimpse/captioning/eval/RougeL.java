package dev.glimpse.captioning.eval;

import java.util.List;

/**
 * ROUGE-L as coco-caption's {@code rouge.py}: words from splitting on single spaces (so an empty
 * caption is one empty word, and an empty candidate matches an empty reference), LCS length against
 * each reference, the best precision and the best recall taken independently over the references,
 * F = (1+beta^2) P R / (R + beta^2 P) with beta = 1.2 (0 when P or R is 0), mean over images.
 */
public final class RougeL {
    static final double BETA = 1.2;

    private RougeL() {}

    public static MetricScore score(List<List<String>> references, List<String> candidates) {
        Checks.sameSize(references, candidates);
        double[] perImage = new double[candidates.size()];
        for (int i = 0; i < perImage.length; i++) {
            perImage[i] = imageScore(references.get(i), candidates.get(i));
        }
        return new MetricScore("ROUGE_L", NumpySum.mean(perImage), perImage);
    }

    static double imageScore(List<String> refs, String candidate) {
        String[] cand = PyStrings.split(candidate, ' ').toArray(String[]::new);
        double precMax = Double.NEGATIVE_INFINITY;
        double recMax = Double.NEGATIVE_INFINITY;
        for (String ref : refs) {
            String[] r = PyStrings.split(ref, ' ').toArray(String[]::new);
            int lcs = lcs(r, cand);
            precMax = Math.max(precMax, lcs / (double) cand.length);
            recMax = Math.max(recMax, lcs / (double) r.length);
        }
        if (precMax != 0 && recMax != 0) {
            double beta2 = BETA * BETA;
            return ((1 + beta2) * precMax * recMax) / (recMax + beta2 * precMax);
        }
        return 0.0;
    }

    /** Length of the longest common subsequence, one rolling row of the DP table. */
    static int lcs(String[] a, String[] b) {
        int[] prev = new int[b.length + 1];
        int[] cur = new int[b.length + 1];
        for (String x : a) {
            for (int j = 1; j <= b.length; j++) {
                cur[j] = x.equals(b[j - 1]) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length];
    }
}

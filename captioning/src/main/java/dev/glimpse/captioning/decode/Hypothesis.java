package dev.glimpse.captioning.decode;

import java.util.Arrays;

/**
 * One decoded caption.
 *
 * @param words     word ids, {@code <end>} not included
 * @param logProb   summed natural-log probability of the words (and of {@code <end>} when ended)
 * @param score     the ranking score (logProb after optional length normalisation)
 * @param ended     true when the model chose {@code <end>}; false when the step cap cut it
 * @param attention per word the attention weights over image regions that produced it, [words][R];
 *                  null for a model without attention
 */
public record Hypothesis(int[] words, double logProb, double score, boolean ended, float[][] attention) {
    public int length() {
        return words.length;
    }

    @Override
    public String toString() {
        return "Hypothesis" + Arrays.toString(words) + " score=" + score + (ended ? "" : " (cut)");
    }
}

package dev.glimpse.vqa;

import dev.glimpse.vqa.eval.AnswerNormalizer;
import java.util.List;
import java.util.Optional;

/**
 * Turns one question's human answers into a sparse training target over the answer vocabulary.
 * A question none of whose answers is in the vocabulary has no target ({@link Optional#empty()})
 * and is left out of training (it still counts in evaluation, where it scores what the model says).
 */
public final class AnswerTargets {
    /** Sparse distribution: {@code weights[i]} on class {@code classes[i]}, summing to 1. */
    public record Target(int[] classes, float[] weights) {}

    private final AnswerVocabulary vocab;
    private final TargetMode mode;

    public AnswerTargets(AnswerVocabulary vocab, TargetMode mode) {
        this.vocab = vocab;
        this.mode = mode;
    }

    public Optional<Target> target(List<String> answers) {
        // count per vocabulary class, classes in first-seen order
        int[] classes = new int[answers.size()];
        int[] counts = new int[answers.size()];
        int distinct = 0;
        for (String raw : answers) {
            int c = vocab.indexOfKey(AnswerNormalizer.normalize(raw));
            if (c < 0) {
                continue;
            }
            int slot = 0;
            while (slot < distinct && classes[slot] != c) {
                slot++;
            }
            if (slot == distinct) {
                classes[distinct++] = c;
            }
            counts[slot]++;
        }
        if (distinct == 0) {
            return Optional.empty();
        }
        if (mode == TargetMode.HARD) {
            int best = 0;
            for (int i = 1; i < distinct; i++) {
                if (counts[i] > counts[best] || (counts[i] == counts[best] && classes[i] < classes[best])) {
                    best = i;
                }
            }
            return Optional.of(new Target(new int[] {classes[best]}, new float[] {1f}));
        }
        double total = 0;
        double[] scores = new double[distinct];
        for (int i = 0; i < distinct; i++) {
            scores[i] = Math.min(counts[i] / 3.0, 1.0);
            total += scores[i];
        }
        int[] outClasses = new int[distinct];
        float[] weights = new float[distinct];
        for (int i = 0; i < distinct; i++) {
            outClasses[i] = classes[i];
            weights[i] = (float) (scores[i] / total);
        }
        return Optional.of(new Target(outClasses, weights));
    }
}

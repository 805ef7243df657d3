package dev.glimpse.captioning.net;

/**
 * Cross-entropy of one batch: summed over its predicted tokens, and their number, so losses of
 * batches of different sizes average correctly.
 */
public record StepLoss(double lossSum, int tokens) {
    /** Mean loss per token (what the gradients of {@link CaptionNet#trainStep} are of). */
    public double mean() {
        return tokens == 0 ? 0 : lossSum / tokens;
    }
}

package dev.glimpse.common.train;

import java.util.Map;

/** One epoch of a training run: mean training loss and the validation scores by name. */
public record EpochMetrics(int epoch, long iteration, double trainLoss, Map<String, Double> validation,
                           double seconds) {
    public EpochMetrics {
        validation = validation == null ? Map.of() : Map.copyOf(validation);
    }
}

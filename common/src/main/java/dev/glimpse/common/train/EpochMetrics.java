package dev.glimpse.common.train;

import java.util.List;
import java.util.Map;

/**
 * One epoch of a training run: mean training loss, the validation scores and training diagnostics by name
 * (learning rate, gradient norm before clipping, clipped fraction), and the gradient flow through time.
 *
 * @param gradFlow per time step t, |dLoss/dh_t| of the first recurrent layer (root mean square over the
 *                 sequences of a batch, averaged over the epoch's sampled batches); empty in records written
 *                 before it was kept
 */
public record EpochMetrics(int epoch, long iteration, double trainLoss, Map<String, Double> validation,
                           double seconds, List<Double> gradFlow) {
    public EpochMetrics {
        validation = validation == null ? Map.of() : Map.copyOf(validation);
        gradFlow = gradFlow == null ? List.of() : List.copyOf(gradFlow);
    }

    public EpochMetrics(int epoch, long iteration, double trainLoss, Map<String, Double> validation, double seconds) {
        this(epoch, iteration, trainLoss, validation, seconds, List.of());
    }
}

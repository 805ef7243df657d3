package dev.glimpse.captioning.train;

import java.util.List;
import java.util.Map;

/**
 * Where a training run stands, saved in every checkpoint so {@code --resume} continues exactly
 * there: the next batch, the schedule and early-stopping counters, the loss curve so far, and the
 * keys a resumed run must share (settings, data hashes, vocabulary).
 *
 * @param epoch        the epoch in progress (0-based)
 * @param batchInEpoch batches of that epoch already done
 * @param trainLoss    [iteration, mean loss per token] points
 * @param valLoss      [iteration, validation loss] points, one per epoch
 * @param epochLossSum summed training loss of the batches of the epoch in progress already done
 *                     (with {@code epochTokens}), so a resumed epoch reports the loss of all its batches
 */
record TrainerState(int epoch, int batchInEpoch, long iteration, double learningRate, double bestCider,
                    int bestEpoch, int epochsWithoutImprovement, List<double[]> trainLoss, List<double[]> valLoss,
                    Map<String, Object> resumeKeys, List<String> dataSha256, String vocabularySha256,
                    double secondsSoFar, double epochLossSum, long epochTokens) {
    static final String ENTRY = "trainer";
    static final String ADAM = "adam";
}

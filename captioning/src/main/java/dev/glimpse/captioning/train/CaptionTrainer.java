package dev.glimpse.captioning.train;

import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.imageside.FineTuning;
import dev.glimpse.common.train.Checkpoints;
import dev.glimpse.common.train.EpochMetrics;
import dev.glimpse.common.train.TrainingLoop;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * Trains a captioner: the common {@link TrainingLoop} over a {@link CaptionTask} (epochs of
 * shuffled, length-bucketed batches through the network, validation loss and the coco-caption
 * BLEU-4 / CIDEr-D of decoded validation captions). The best model by CIDEr-D is written to the
 * output file, the latest resumable checkpoint beside it. One trainer is reusable; each
 * {@link #train} call is one run.
 */
public final class CaptionTrainer {
    private final CaptionTrainingConfig config;
    private final boolean showProgress;

    public CaptionTrainer(CaptionTrainingConfig config, boolean showProgress) {
        this.config = config;
        this.showProgress = showProgress;
    }

    /** What a run produced. */
    public record Result(Path bestModel, Path checkpoint, Path lossCurve, Path gradientFlow, double bestCider,
                         int bestEpoch, List<EpochMetrics> history, String stopReason, double seconds) {}

    /**
     * @param rawFeatures the images' features as the encoder gives them; the run standardises them
     *                    (statistics fitted on the training images, saved with the model)
     */
    public Result train(CaptionDataset data, FeatureSource rawFeatures, Checkpoints out, boolean resume, PrintWriter log)
            throws IOException {
        return train(data, rawFeatures, out, resume, TrainingLoop.GradientsFactory.LOCAL, log);
    }

    /**
     * @param fineTuning null = the encoder stays frozen; else its trainable part learns too (its own
     *                   parameter group and learning-rate scale) and {@code rawFeatures} is not read
     */
    public Result train(CaptionDataset data, FeatureSource rawFeatures, FineTuning fineTuning, Checkpoints out, boolean resume,
                        PrintWriter log) throws IOException {
        TrainingLoop.Result r = TrainingLoop.run(config.loop(showProgress), out, resume,
                (checkpoint, file) -> CaptionTask.create(config, data, rawFeatures, fineTuning, checkpoint, file),
                TrainingLoop.GradientsFactory.LOCAL, log);
        return new Result(out.best(), out.latest(), out.lossCurve(), out.gradientFlow(), r.bestScore(), r.bestEpoch(), r.history(),
                r.stopReason(), r.seconds());
    }

    /** A run whose step gradients come from {@code gradients} (workers of a cluster). */
    public Result train(CaptionDataset data, FeatureSource rawFeatures, Checkpoints out, boolean resume,
                        TrainingLoop.GradientsFactory gradients, PrintWriter log) throws IOException {
        TrainingLoop.Result r = TrainingLoop.run(config.loop(showProgress), out, resume,
                (checkpoint, file) -> CaptionTask.create(config, data, rawFeatures, checkpoint, file), gradients, log);
        return new Result(out.best(), out.latest(), out.lossCurve(), out.gradientFlow(), r.bestScore(), r.bestEpoch(), r.history(),
                r.stopReason(), r.seconds());
    }

    /**
     * A worker's task for data-parallel training: the one {@link #train} would make from this
     * checkpoint (the driver's model: vocabulary, image statistics, parameters).
     */
    public static TrainingLoop.Task task(CaptionTrainingConfig config, CaptionDataset data, FeatureSource rawFeatures,
                                         ModelBundle start, Path file) {
        return CaptionTask.create(config, data, rawFeatures, start, file);
    }
}

package dev.glimpse.vqa;

import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.imageside.FineTuning;
import dev.glimpse.common.train.Checkpoints;
import dev.glimpse.common.train.DatasetFile;
import dev.glimpse.common.train.EpochMetrics;
import dev.glimpse.common.train.TrainingLoop;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * Trains a {@link VqaNet}: the common {@link TrainingLoop} over a {@link VqaTask} (vocabularies from
 * the training questions, shuffled mini-batches, the official VQA accuracy on the validation
 * questions after every epoch). The best model by that accuracy is written to the output file, a
 * resumable checkpoint beside it.
 */
public final class VqaTrainer {
    /** What a finished run hands back. */
    public record Result(VqaModel best, VqaModel last, VqaTrainingSet set, List<EpochMetrics> history,
                         int bestEpoch) {}

    private final VqaTrainConfig cfg;
    private final PrintWriter log;
    private final boolean progressBar;

    public VqaTrainer(VqaTrainConfig cfg, PrintWriter log, boolean progressBar) {
        this.cfg = cfg;
        this.log = log;
        this.progressBar = progressBar;
    }

    /**
     * @param val         validation questions, may be empty (then the lowest training loss picks the best model)
     * @param rawFeatures the images' features as the encoder gives them ({@link BlindFeatures} for question-only);
     *                    the run standardises them (statistics fitted on the training images, saved with the model)
     * @param resume      continue from {@code files.latest()}
     */
    public Result train(List<VqaItem> train, List<VqaItem> val, FeatureSource rawFeatures,
                        List<DatasetFile> data, Checkpoints files, boolean resume) throws IOException {
        return train(train, val, rawFeatures, data, files, resume, TrainingLoop.GradientsFactory.LOCAL);
    }

    /** @param fineTuning null = frozen encoder; else its trainable part learns too ({@code rawFeatures} is not read) */
    public Result train(List<VqaItem> train, List<VqaItem> val, FeatureSource rawFeatures, FineTuning fineTuning,
                        List<DatasetFile> data, Checkpoints files, boolean resume) throws IOException {
        TrainingLoop.Result r = TrainingLoop.run(cfg.loop(progressBar), files, resume,
                (checkpoint, file) -> VqaTask.create(cfg, train, val, rawFeatures, fineTuning, data, checkpoint, file, log),
                TrainingLoop.GradientsFactory.LOCAL, log);
        return result(r, files);
    }

    /** A run whose step gradients come from {@code gradients} (workers of a cluster). */
    public Result train(List<VqaItem> train, List<VqaItem> val, FeatureSource rawFeatures, List<DatasetFile> data,
                        Checkpoints files, boolean resume, TrainingLoop.GradientsFactory gradients) throws IOException {
        TrainingLoop.Result r = TrainingLoop.run(cfg.loop(progressBar), files, resume,
                (checkpoint, file) -> VqaTask.create(cfg, train, val, rawFeatures, data, checkpoint, file, log), gradients, log);
        return result(r, files);
    }

    private static Result result(TrainingLoop.Result r, Checkpoints files) {
        VqaTask task = (VqaTask) r.task();
        VqaModel last = task.model().withTraining(r.record());
        VqaModel best = r.bestEpoch() > 0 ? VqaModel.load(files.best()) : last;
        return new Result(best, last, task.set(), r.history(), r.bestEpoch());
    }

    /**
     * A worker's task for data-parallel training: the one {@link #train} would make from this
     * checkpoint (the driver's model: vocabularies, image statistics, parameters).
     */
    public static TrainingLoop.Task task(VqaTrainConfig cfg, List<VqaItem> train, List<VqaItem> val,
                                         FeatureSource rawFeatures, List<DatasetFile> data, ModelBundle start,
                                         Path file, PrintWriter log) {
        return VqaTask.create(cfg, train, val, rawFeatures, data, start, file, log);
    }
}

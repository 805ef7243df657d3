package dev.glimpse.vqa;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.imageside.ImageSide;
import dev.glimpse.common.nn.Adam;
import dev.glimpse.common.train.Checkpoints;
import dev.glimpse.common.train.DatasetFile;
import dev.glimpse.common.train.EpochMetrics;
import dev.glimpse.common.train.LossCurvePlot;
import dev.glimpse.common.train.Progress;
import dev.glimpse.common.train.TrainingRecord;
import dev.glimpse.vqa.eval.VqaEvaluator;
import dev.glimpse.vqa.eval.VqaGroundTruth;
import dev.glimpse.vqa.eval.VqaScores;
import dev.glimpse.vqa.net.VqaNet;
import dev.glimpse.vqa.net.VqaNetConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import me.tongfei.progressbar.ProgressBar;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains a {@link VqaNet}: vocabularies from the training questions, then epochs of shuffled
 * mini-batches (Adam with a step schedule, global-norm clipping), the official VQA accuracy on
 * the validation questions after every epoch, the best model by that accuracy written to the
 * output file and a resumable checkpoint (with optimizer state) beside it, both atomically.
 * Reads top to bottom like the training scripts it follows: data, model, epochs.
 */
public final class VqaTrainer {
    /** What a finished run hands back. */
    public record Result(VqaModel best, VqaModel last, VqaTrainingSet set, List<EpochMetrics> history,
                         int bestEpoch) {}

    /** Resume bookkeeping stored in the checkpoint beside the model entries. */
    record ResumeState(int epochsDone, int adamIteration, double bestScore, int bestEpoch,
                       List<double[]> lossPoints, Map<String, Object> architecture, int featureDim) {}

    private static final int LOSS_POINTS_PER_EPOCH = 50;

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
     * @param rawFeatures the images' features as the encoder gives them ({@link BlindFeatures} for question-only)
     * @param resume      continue from {@code files.latest()} when it exists
     */
    public Result train(List<VqaItem> train, List<VqaItem> val, FeatureSource rawFeatures,
                        List<DatasetFile> data, Checkpoints files, boolean resume) throws IOException {
        int featureDim = cfg.questionOnly() ? BlindFeatures.DIM : rawFeatures.info().pooledDim();
        // ---- data and vocabularies (a resumed run keeps the checkpoint's) ----
        if (resume && !files.hasLatest()) {
            log.println("no checkpoint at " + files.latest() + ": starting from scratch");
        }
        ModelBundle checkpoint = resume && files.hasLatest() ? ModelBundle.read(files.latest()) : null;
        VqaModel restored = checkpoint == null ? null : VqaModel.fromBundle(checkpoint.requireKind(VqaModel.KIND),
                files.latest());
        ResumeState state = checkpoint == null ? null : checkpoint.json("resume", ResumeState.class);
        VqaTrainingSet set = restored == null
                ? VqaTrainingSet.prepare(train, cfg)
                : VqaTrainingSet.encode(train, restored.questions(), restored.answers(), cfg.targets());
        log.println(set.summary(train.size()));

        // ---- model and optimizer ----
        VqaNetConfig netCfg = new VqaNetConfig(set.questions().vocabulary().size(), cfg.embedDim(), cfg.hiddenDim(),
                cfg.lstmLayers(), featureDim, cfg.fusedDim(), set.answers().size(), cfg.dropout());
        VqaNet net = new VqaNet(netCfg, cfg.seed());
        Adam adam = new Adam(net.params(), cfg.learningRate().base());
        TrainingRecord record = TrainingRecord.start(VqaModel.KIND, cfg.asMap(), data, cfg.seed(),
                cfg.questionOnly() ? "none (question-only)" : rawFeatures.info().name(),
                !cfg.questionOnly() && rawFeatures.info().randomInit());
        int firstEpoch = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        int bestEpoch = -1;
        List<double[]> lossPoints = new ArrayList<>();
        if (restored != null) {
            checkCompatible(state, restored, featureDim, data);
            net.params().copyFrom(restored.net().params().toFloatArray());
            adam.restore(new Adam.State(state.adamIteration(), checkpoint.floats("adam")));
            record = restored.training();
            firstEpoch = state.epochsDone();
            bestScore = state.bestScore();
            bestEpoch = state.bestEpoch();
            lossPoints.addAll(state.lossPoints());
            log.println("resuming " + files.latest() + " after epoch " + firstEpoch);
        }
        // the blind model's constant feature stays as it is: centred it would be all zeros
        ImageSide imageSide = cfg.questionOnly() ? null
                : restored != null ? restored.imageSide()
                : ImageSide.fit(rawFeatures, set.examples().stream().mapToLong(VqaTrainingSet.Example::imageId)
                        .toArray(), false);
        FeatureSource features = imageSide == null ? rawFeatures : imageSide.features(rawFeatures, files.latest());
        VqaModel model = new VqaModel(netCfg, net, set.questions(), set.answers(), imageSide, cfg.questionOnly(),
                record);
        List<VqaGroundTruth> valTruth = val.stream().map(VqaItem::groundTruth).toList();

        // ---- epochs ----
        for (int epoch = firstEpoch; epoch < cfg.epochs(); epoch++) {
            long t0 = System.nanoTime();
            adam.learningRate(cfg.learningRate().rate(epoch));
            double meanLoss = runEpoch(epoch, set, model, adam, features, lossPoints);
            Map<String, Double> metrics = new LinkedHashMap<>();
            double score = -meanLoss;
            if (!val.isEmpty()) {
                VqaScores scores = VqaEvaluator.evaluate(valTruth, model.answerAll(val, features, cfg.batchSize()));
                metrics.put("accuracy", scores.overall());
                scores.perAnswerType().forEach((k, v) -> metrics.put("answer_type:" + k, v));
                scores.perQuestionType().forEach((k, v) -> metrics.put("question_type:" + k, v));
                score = scores.overall();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            record = record.withEpoch(new EpochMetrics(epoch + 1, adam.iteration(), meanLoss, metrics, seconds));
            model = model.withTraining(record);
            boolean improved = score > bestScore;
            if (improved) {
                bestScore = score;
                bestEpoch = epoch + 1;
                model.withTraining(record.finishedNow()).save(files.best());
            }
            log.printf("epoch %d/%d  loss %.4f  %s  lr %.2g  %.1fs%s%n", epoch + 1, cfg.epochs(), meanLoss,
                    val.isEmpty() ? "(no validation set)" : String.format("val accuracy %.2f", score),
                    adam.learningRate(), seconds, improved ? "  (best so far: saved " + files.best() + ")" : "");
            log.flush();
            writeCheckpoint(files, model, adam, new ResumeState(epoch + 1, adam.iteration(), bestScore, bestEpoch,
                    lossPoints, cfg.architecture(), featureDim));
        }
        LossCurvePlot.write(files.lossCurve(), "VQA training loss",
                List.of(new LossCurvePlot.Series("train loss", lossPoints)));
        log.println("loss curve: " + files.lossCurve());
        VqaModel best = bestEpoch > 0 ? VqaModel.load(files.best()) : model;
        return new Result(best, model, set, record.history(), bestEpoch);
    }

    private double runEpoch(int epoch, VqaTrainingSet set, VqaModel model, Adam adam, FeatureSource features,
                            List<double[]> lossPoints) {
        VqaNet net = model.net();
        List<VqaTrainingSet.Example> examples = set.examples();
        int[] order = permutation(examples.size(), new SplittableRandom(cfg.seed() * 1_000_003L + epoch));
        int[][] spans = batchSpans(examples.size(), cfg.batchSize());
        int batches = spans.length;
        int every = Math.max(1, batches / LOSS_POINTS_PER_EPOCH);
        double sum = 0;
        double windowSum = 0;
        int window = 0;
        try (ProgressBar bar = progressBar ? Progress.bar("epoch " + (epoch + 1) + "/" + cfg.epochs(), batches,
                "batches") : null) {
            for (int b = 0; b < batches; b++) {
                int[] rows = spans[b];
                int n = rows.length;
                long[] imageIds = new long[n];
                int[][] questions = new int[n][];
                float[] targets = new float[n * set.answers().size()];
                for (int i = 0; i < n; i++) {
                    VqaTrainingSet.Example ex = examples.get(order[rows[i]]);
                    imageIds[i] = ex.imageId();
                    questions[i] = ex.tokens();
                    int[] classes = ex.target().classes();
                    for (int j = 0; j < classes.length; j++) {
                        targets[i * set.answers().size() + classes[j]] = ex.target().weights()[j];
                    }
                }
                INDArray image = model.networkInput(features.pooled(imageIds));                 // [B, F]
                INDArray target = Nd4j.createFromArray(targets).reshape(n, set.answers().size()); // [B, A]
                net.params().zeroGrad();
                double loss = net.trainStep(image, questions, target, cfg.dropout() > 0);
                if (!Double.isFinite(loss)) {
                    throw new GlimpseException("training diverged at epoch " + (epoch + 1) + " (loss " + loss
                            + "): lower the learning rate (--lr) or keep gradient clipping on (--clip)");
                }
                if (cfg.clipNorm() > 0) {
                    net.params().clipGradNorm(cfg.clipNorm());
                }
                adam.step();
                sum += loss;
                windowSum += loss;
                window++;
                if (window == every || b == batches - 1) {
                    lossPoints.add(new double[] {adam.iteration(), windowSum / window});
                    windowSum = 0;
                    window = 0;
                }
                if (bar != null) {
                    bar.step();
                    bar.setExtraMessage(String.format(" loss %.3f", loss));
                }
            }
        }
        return sum / batches;
    }

    /** Positions of each mini-batch: consecutive chunks of {@code batchSize}, the last one shorter. */
    static int[][] batchSpans(int size, int batchSize) {
        int[][] spans = new int[(size + batchSize - 1) / batchSize][];
        for (int b = 0; b < spans.length; b++) {
            int from = b * batchSize;
            spans[b] = java.util.stream.IntStream.range(from, Math.min(size, from + batchSize)).toArray();
        }
        return spans;
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private void writeCheckpoint(Checkpoints files, VqaModel model, Adam adam, ResumeState state) throws IOException {
        model.bundle()
                .floats("adam", adam.state().moments())
                .json("resume", state)
                .write(files.latest());
    }

    /** A checkpoint continues only the same architecture on the same data; names what differs. */
    private void checkCompatible(ResumeState state, VqaModel restored, int featureDim, List<DatasetFile> data) {
        Map<String, Object> now = cfg.architecture();
        List<String> differ = new ArrayList<>();
        for (String key : now.keySet()) {
            if (!Objects.equals(String.valueOf(now.get(key)), String.valueOf(state.architecture().get(key)))) {
                differ.add(key + " " + state.architecture().get(key) + " -> " + now.get(key));
            }
        }
        if (state.featureDim() != featureDim) {
            differ.add("image feature size " + state.featureDim() + " -> " + featureDim);
        }
        if (!differ.isEmpty()) {
            throw new GlimpseException("cannot resume: the checkpoint was trained with other settings ("
                    + String.join(", ", differ) + "); start over without --resume or use the same settings");
        }
        List<String> before = restored.training().data().stream().map(DatasetFile::sha256).toList();
        List<String> after = data.stream().map(DatasetFile::sha256).toList();
        if (!before.equals(after)) {
            throw new GlimpseException("cannot resume: the checkpoint was trained on other data files; "
                    + "start over without --resume");
        }
    }
}

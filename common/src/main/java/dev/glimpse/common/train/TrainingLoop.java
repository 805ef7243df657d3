package dev.glimpse.common.train;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.bundle.ModelLimits;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.nn.Adam;
import dev.glimpse.common.nn.Params;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import me.tongfei.progressbar.ProgressBar;

/**
 * The one training loop both trainers plug into, reading top to bottom like the training scripts it
 * follows: resume or start, then epochs of steps (forward and backward by the {@link Task}, global
 * gradient-norm clipping, Adam), validation after each epoch, the best model by validation score
 * written to the output file, a resumable checkpoint beside it (also every N steps), the schedule,
 * early stopping, the loss curve and the training record.
 *
 * <p>The same semantics for every model: {@code --resume} without a checkpoint is an error; a
 * checkpoint continues only the run it was written by (the task's resume keys must match, every
 * difference is named); a run resumed mid-epoch continues with the next batch exactly as an
 * uninterrupted run would. A non-finite loss or gradient norm stops the run with a message; no model
 * or checkpoint is written from that step on, so the files on disk stay the last good ones.
 */
public final class TrainingLoop {
    static final String STATE = "loop";
    static final String ADAM = "adam";
    /** Training-loss points per epoch on the curve (at most). */
    static final int LOSS_POINTS_PER_EPOCH = 50;
    /** Batches per epoch whose gradient flow through time is recorded (evenly spread; recording costs a little). */
    static final int GRAD_FLOW_BATCHES_PER_EPOCH = 20;

    private TrainingLoop() {}

    /**
     * What every training run shares.
     *
     * @param epochs          passes over the training data
     * @param schedule        the learning rate of each epoch (scaled per parameter group)
     * @param clipNorm        global gradient L2 norm cap over all parameter groups (0 = off)
     * @param patience        stop after this many epochs without a better validation score (0 = never)
     * @param checkpointEvery also write the checkpoint every this many steps (0 = epoch ends only)
     * @param progress        show a progress bar
     */
    public record Settings(int epochs, LearningRateSchedule schedule, double clipNorm, int patience,
                           int checkpointEvery, boolean progress) {
        public Settings {
            if (epochs < 1) {
                throw new GlimpseException("training configuration: epochs must be >= 1, got " + epochs);
            }
            if (!(clipNorm >= 0) || patience < 0 || checkpointEvery < 0) {
                throw new GlimpseException("training configuration: clip norm, patience and checkpoint-every must be >= 0");
            }
        }
    }

    /** Parameters trained together with one Adam; {@code rateScale} multiplies the schedule's rate. */
    public record ParamGroup(String name, Params params, double rateScale) {}

    /**
     * Scales every group's gradients together to a global L2 norm of at most {@code max} (0 = no clipping);
     * returns the norm before. Public so the benchmark's fine-tuning case clips exactly as training does.
     */
    public static double clipGlobalNorm(List<ParamGroup> groups, double max) {
        double sq = 0;
        for (ParamGroup g : groups) {
            double n = g.params().flatGrad().norm2Number().doubleValue();
            sq += n * n;
        }
        double norm = Math.sqrt(sq);
        if (max > 0 && norm > max && Double.isFinite(norm)) {
            for (ParamGroup g : groups) {
                g.params().flatGrad().muli(max / norm);
            }
        }
        return norm;
    }

    /** The summed loss of a step and what it is summed over (tokens, questions); the gradients are of the mean. */
    public record StepLoss(double sum, long count) {
        public double mean() {
            return count == 0 ? 0 : sum / count;
        }
    }

    /**
     * Validation after an epoch.
     *
     * @param score   higher is better; NaN = no validation data (the lowest training loss then picks the best)
     * @param loss    validation loss for the curve, NaN if none
     * @param metrics everything kept in the training record
     * @param summary what the epoch line says about it
     */
    public record Validation(double score, double loss, Map<String, Double> metrics, String summary) {}

    /** One model's side of training: data order, forward/backward, validation, the model's file entries. */
    public interface Task {
        /** For the progress bar and the loss curve: "captioner", "VQA". */
        String title();

        /** What a batch holds: "captions", "questions". */
        String unit();

        List<ParamGroup> parameters();

        /**
         * The settings, data and shapes a resumed run must share with its checkpoint (nested values
         * are compared field by field and named as {@code key.field}).
         */
        Map<String, Object> resumeKeys();

        /** A fresh record for a new run. */
        TrainingRecord newRecord();

        /** Batches in an epoch; their order is a function of the epoch alone (seeded), so resuming replays it. */
        int batches(int epoch);

        /** Items in one batch, for the progress bar. */
        int batchSize(int epoch, int batch);

        /** Forward and backward of one batch into the gradients of {@link #parameters} (zeroed by the loop). */
        default StepLoss step(int epoch, int batch) {
            return step(epoch, batch, 0, batchSize(epoch, batch));
        }

        /**
         * Forward and backward of items {@code [from, to)} of a batch (in the batch's own order) into the
         * gradients of their mean loss over {@link StepLoss#count}. The whole batch is {@code [0, batchSize)};
         * data-parallel training weights each slice's gradients by its count and sums them
         * ({@link DataParallel}), which gives the gradients of the batch's mean loss.
         */
        StepLoss step(int epoch, int batch, int from, int to);

        Validation validate(int epoch);

        /** The model's file entries with these parameters and record; a checkpoint adds the loop's own. */
        ModelBundle.Writer model(TrainingRecord record);

        /** Whether the next {@link #step}s record the gradient flow through time (the loop turns it on for a sample). */
        default void recordGradientFlow(boolean on) {
        }

        /** |dLoss/dh_t| per time step t of the last recorded step, or null (a model without recurrence). */
        default double[] gradientFlow() {
            return null;
        }

        /**
         * Where the task's random generators used in steps (dropout masks) stand, saved in checkpoints so a
         * resumed run draws what the uninterrupted run would have; null = none.
         */
        default long[] randomState() {
            return null;
        }

        /** Sets the generators back to a {@link #randomState} from a checkpoint. */
        default void restoreRandomState(long[] state) {
        }

        /**
         * The task's own factor on the schedule's rate in an epoch (1 = the schedule's), e.g. for a phase of training
         * with another objective (self-critical captioning).
         */
        default double rateScale(int epoch) {
            return 1.0;
        }
    }

    /**
     * Where a step's gradients come from: the task itself on this machine ({@link GradientsFactory#LOCAL}), or workers
     * that each take a slice of the batch (Spark). Either way the loop clips, applies Adam, validates
     * and writes the files.
     */
    public interface Gradients {
        /** Fills the gradients of the task's parameters (zeroed by the loop) with those of the batch's mean loss. */
        StepLoss compute(int epoch, int batch);
    }

    /** Makes the {@link Gradients} of a run once its task exists. */
    public interface GradientsFactory {
        /** One machine: the task's own step over the whole batch. */
        GradientsFactory LOCAL = task -> task::step;

        Gradients create(Task task);
    }

    /** Makes the task, from the checkpoint being resumed (its vocabularies, statistics and parameters) or afresh (null). */
    public interface TaskFactory {
        Task create(ModelBundle checkpoint, Path checkpointFile);
    }

    public record Result(Task task, TrainingRecord record, double bestScore, int bestEpoch, String stopReason,
                         double seconds) {
        public List<EpochMetrics> history() {
            return record.history();
        }
    }

    /**
     * Where a run stands, saved in every checkpoint.
     *
     * @param epoch        the epoch in progress (0-based)
     * @param batchInEpoch batches of that epoch already done
     * @param epochLossSum summed training loss of those batches (with {@code epochCount}), so a
     *                     resumed epoch reports the loss of all its batches
     * @param flowSum      per time step, the summed |dLoss/dh_t| of the epoch's recorded batches so far (with
     *                     {@code flowCount}: how many of them reached step t); null in older checkpoints
     */
    record State(int epoch, int batchInEpoch, long iteration, double learningRate, double bestScore, int bestEpoch,
                 int epochsWithoutImprovement, List<double[]> trainLoss, List<double[]> valLoss, JsonNode resumeKeys,
                 double secondsSoFar, double epochLossSum, long epochCount, double gradNormSum, long gradSteps,
                 long clippedSteps, int[] adamIterations, double[] flowSum, long[] flowCount, long[] randomState) {}

    public static Result run(Settings settings, Checkpoints files, boolean resume, TaskFactory factory, PrintWriter log)
            throws IOException {
        return run(settings, files, resume, factory, GradientsFactory.LOCAL, log);
    }

    /** A run whose step gradients come from {@code gradients} (e.g. workers of a cluster). */
    public static Result run(Settings settings, Checkpoints files, boolean resume, TaskFactory factory,
                             GradientsFactory gradients, PrintWriter log) throws IOException {
        long start = System.nanoTime();
        ModelBundle checkpoint = null;
        State state = null;
        if (resume) {
            if (!files.hasLatest()) {
                throw new GlimpseException(files.latest() + ": no checkpoint to resume from (start without --resume)");
            }
            checkpoint = ModelBundle.read(files.latest());
            state = checkpoint.json(STATE, State.class);
        } else if (files.hasLatest()) {
            log.println("note: starting a new run; " + files.latest() + " will be replaced (use --resume to continue it)");
        }
        Task task = factory.create(checkpoint, files.latest());
        // Through JSON text, as the checkpoint holds them: floats then compare as the same decimals.
        JsonNode keys = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(task.resumeKeys()));
        List<ParamGroup> groups = task.parameters();
        List<Adam> adams = new ArrayList<>();
        for (ParamGroup g : groups) {
            adams.add(new Adam(g.params(), settings.schedule().base() * g.rateScale()));
        }
        TrainingRecord record;
        if (checkpoint == null) {
            record = task.newRecord();
            state = new State(0, 0, 0, settings.schedule().base(), Double.NEGATIVE_INFINITY, -1, 0, List.of(), List.of(),
                    keys, 0, 0, 0, 0, 0, 0, new int[groups.size()], null, null, null);
        } else {
            List<String> diffs = differences(state.resumeKeys(), keys);
            if (!diffs.isEmpty()) {
                throw new GlimpseException(files.latest() + ": cannot resume, the checkpoint differs from this run in "
                        + String.join("; ", diffs) + " (checkpoint -> now); start over without --resume or use the same settings");
            }
            for (int i = 0; i < groups.size(); i++) {
                String entry = ADAM + "." + groups.get(i).name();
                float[] moments = ModelLimits.finite(files.latest() + ": " + entry + ".f32", ModelLimits.length(
                        files.latest() + ": " + entry + ".f32", checkpoint.floats(entry), 2 * groups.get(i).params().size()));
                adams.get(i).restore(new Adam.State(state.adamIterations()[i], moments));
            }
            if (state.randomState() != null) { // older checkpoints have none: their masks start afresh
                try {
                    task.restoreRandomState(state.randomState());
                } catch (IllegalArgumentException e) {
                    throw new GlimpseException(files.latest() + ": " + STATE + ".randomState: " + e.getMessage(), e);
                }
            }
            record = checkpoint.json("training", TrainingRecord.class);
            log.println(state.batchInEpoch() == 0
                    ? String.format("resuming %s after epoch %d (step %d)", files.latest(), state.epoch(), state.iteration())
                    : String.format("resuming %s at epoch %d, batch %d (step %d)", files.latest(), state.epoch() + 1,
                    state.batchInEpoch(), state.iteration()));
        }
        Run run = new Run(settings, files, task, gradients.create(task), groups, adams, record, state, start, log);
        return run.epochs();
    }

    /** One run's moving parts. */
    private static final class Run {
        final Settings settings;
        final Checkpoints files;
        final Task task;
        final Gradients gradients;
        final List<ParamGroup> groups;
        final List<Adam> adams;
        final PrintWriter log;
        final long start;
        final double priorSeconds;
        TrainingRecord record;
        State state;
        final List<double[]> lossPoints;
        final List<double[]> valPoints;

        Run(Settings settings, Checkpoints files, Task task, Gradients gradients, List<ParamGroup> groups,
            List<Adam> adams, TrainingRecord record, State state, long start, PrintWriter log) {
            this.settings = settings;
            this.files = files;
            this.task = task;
            this.gradients = gradients;
            this.groups = groups;
            this.adams = adams;
            this.record = record;
            this.state = state;
            this.start = start;
            this.log = log;
            this.priorSeconds = state.secondsSoFar();
            this.lossPoints = new ArrayList<>(state.trainLoss());
            this.valPoints = new ArrayList<>(state.valLoss());
        }

        Result epochs() throws IOException {
            String stopReason = "finished " + settings.epochs() + " epochs";
            if (state.epoch() >= settings.epochs()) {
                stopReason = "already trained " + state.epoch() + " epochs (raise --epochs to continue)";
            } else if (settings.patience() > 0 && state.epochsWithoutImprovement() >= settings.patience()) {
                return result("this run had already stopped early: no better validation score for "
                        + state.epochsWithoutImprovement() + " epochs (raise --patience to continue)");
            }
            for (int epoch = state.epoch(); epoch < settings.epochs(); epoch++) {
                long epochStart = System.nanoTime();
                double lr = settings.schedule().rate(epoch, state.learningRate(), state.epochsWithoutImprovement());
                double applied = lr * task.rateScale(epoch); // the schedule's own rate (lr) carries on unscaled
                for (int i = 0; i < groups.size(); i++) {
                    adams.get(i).learningRate(applied * groups.get(i).rateScale());
                }
                double[] sums = trainEpoch(epoch, lr);
                double trainLoss = sums[1] > 0 ? sums[0] / sums[1] : Double.NaN;
                double trainSeconds = seconds(epochStart);
                Validation v = task.validate(epoch);
                double score = Double.isNaN(v.score()) ? -trainLoss : v.score();
                if (!Double.isFinite(score)) {
                    throw new GlimpseException("training stopped: epoch " + (epoch + 1) + " ends with a non-finite "
                            + (Double.isNaN(v.score()) ? "training loss" : "validation score") + " (" + score
                            + "); lower the learning rate (--lr) or keep gradient clipping on (--clip-norm). "
                            + "Nothing of this epoch was saved.");
                }
                if (!Double.isNaN(v.loss())) {
                    valPoints.add(new double[] {state.iteration(), v.loss()});
                }
                boolean better = score > state.bestScore();
                int without = better ? 0 : state.epochsWithoutImprovement() + 1;
                Map<String, Double> metrics = new LinkedHashMap<>(v.metrics());
                metrics.put("learningRate", applied);
                String gradients = "";
                if (state.gradSteps() > 0) {
                    double mean = state.gradNormSum() / state.gradSteps();
                    metrics.put("gradNormMean", mean);
                    gradients = String.format(", grad norm %.3g", mean);
                    if (settings.clipNorm() > 0) {
                        double clipped = (double) state.clippedSteps() / state.gradSteps();
                        metrics.put("clippedFraction", clipped);
                        gradients += String.format(" (%.0f%% of steps clipped)", 100 * clipped);
                    }
                }
                List<Double> flow = flow(state);
                if (!flow.isEmpty()) {
                    gradients += String.format(", |dL/dh_t| t=0 %.2g, t=%d %.2g", flow.get(0), flow.size() - 1,
                            flow.get(flow.size() - 1));
                }
                double epochSeconds = seconds(epochStart);
                record = record.withEpoch(new EpochMetrics(epoch + 1, state.iteration(), trainLoss, metrics, epochSeconds,
                        flow));
                state = next(epoch + 1, 0, lr, better ? score : state.bestScore(), better ? epoch + 1 : state.bestEpoch(),
                        without, 0, 0, 0, 0, 0, null, null);
                if (better) {
                    task.model(record.finishedNow()).write(files.best());
                }
                writeCheckpoint();
                plot();
                log.printf("epoch %d/%d: train loss %.4f, %s%s, lr %.2e%s, %.0f s (train %.0f s, validation %.0f s)%n",
                        epoch + 1, settings.epochs(), trainLoss, v.summary(), better ? " (best)" : "", applied, gradients,
                        epochSeconds, trainSeconds, epochSeconds - trainSeconds);
                log.flush();
                if (settings.patience() > 0 && without >= settings.patience()) {
                    stopReason = "stopped early: no better validation score for " + without + " epochs";
                    break;
                }
            }
            if (!lossPoints.isEmpty()) {
                plot();
            }
            return result(stopReason);
        }

        private Result result(String stopReason) {
            return new Result(task, record, state.bestScore(), state.bestEpoch(), stopReason, priorSeconds + seconds(start));
        }

        /** One epoch's steps; returns {loss sum, count} over all its batches (those before a resume included). */
        private double[] trainEpoch(int epoch, double lr) throws IOException {
            int batches = task.batches(epoch);
            int every = Math.max(1, batches / LOSS_POINTS_PER_EPOCH);
            double lossSum = state.epochLossSum();
            long count = state.epochCount();
            double pointSum = 0;
            long pointCount = 0;
            int pointSteps = 0;
            int flowEvery = Math.max(1, batches / GRAD_FLOW_BATCHES_PER_EPOCH);
            double[] flowSum = state.flowSum() == null ? new double[0] : state.flowSum().clone();
            long[] flowCount = state.flowCount() == null ? new long[0] : state.flowCount().clone();
            try (ProgressBar bar = settings.progress()
                    ? Progress.bar(task.title() + " epoch " + (epoch + 1) + "/" + settings.epochs(), items(epoch, batches), task.unit())
                    : null) {
                if (bar != null) {
                    bar.stepTo(items(epoch, state.batchInEpoch()));
                }
                for (int b = state.batchInEpoch(); b < batches; b++) {
                    for (ParamGroup g : groups) {
                        g.params().zeroGrad();
                    }
                    boolean recordFlow = b % flowEvery == 0;
                    task.recordGradientFlow(recordFlow);
                    StepLoss loss = gradients.compute(epoch, b);
                    if (!Double.isFinite(loss.sum())) {
                        throw nonFinite("loss", loss.sum(), epoch, b);
                    }
                    double norm = clip(settings.clipNorm()); // the norm before clipping, also when clipping is off
                    if (settings.clipNorm() > 0 && !Double.isFinite(norm)) {
                        throw nonFinite("gradient norm", norm, epoch, b);
                    }
                    double[] flow = recordFlow ? task.gradientFlow() : null;
                    if (flow != null) {
                        if (flow.length > flowSum.length) {
                            flowSum = java.util.Arrays.copyOf(flowSum, flow.length);
                            flowCount = java.util.Arrays.copyOf(flowCount, flow.length);
                        }
                        for (int t = 0; t < flow.length; t++) {
                            if (Double.isFinite(flow[t])) {
                                flowSum[t] += flow[t];
                                flowCount[t]++;
                            }
                        }
                    }
                    for (Adam a : adams) {
                        a.step();
                    }
                    lossSum += loss.sum();
                    count += loss.count();
                    pointSum += loss.sum();
                    pointCount += loss.count();
                    boolean clipped = settings.clipNorm() > 0 && norm > settings.clipNorm();
                    boolean finite = Double.isFinite(norm);
                    state = next(epoch, b + 1, lr, state.bestScore(), state.bestEpoch(), state.epochsWithoutImprovement(),
                            lossSum, count, state.gradNormSum() + (finite ? norm : 0),
                            state.gradSteps() + (finite ? 1 : 0), state.clippedSteps() + (clipped ? 1 : 0), flowSum,
                            flowCount);
                    if (++pointSteps == every || b == batches - 1) {
                        lossPoints.add(new double[] {state.iteration(), pointSum / Math.max(1, pointCount)});
                        pointSum = 0;
                        pointCount = 0;
                        pointSteps = 0;
                    }
                    if (bar != null) {
                        bar.stepBy(task.batchSize(epoch, b));
                        bar.setExtraMessage(String.format(" loss %.3f", loss.mean()));
                    }
                    if (settings.checkpointEvery() > 0 && state.iteration() % settings.checkpointEvery() == 0 && b < batches - 1) {
                        writeCheckpoint();
                    }
                }
            }
            return new double[] {lossSum, count};
        }

        private long items(int epoch, int batches) {
            long n = 0;
            for (int b = 0; b < batches; b++) {
                n += task.batchSize(epoch, b);
            }
            return n;
        }

        private double clip(double max) {
            return clipGlobalNorm(groups, max);
        }

        private GlimpseException nonFinite(String what, double value, int epoch, int batch) {
            return new GlimpseException("training stopped: non-finite " + what + " (" + value + ") at epoch " + (epoch + 1)
                    + ", batch " + (batch + 1) + "; lower the learning rate (--lr) or keep gradient clipping on"
                    + " (--clip-norm). Nothing from this step was saved: " + files.best() + " and " + files.latest()
                    + " are the last good ones (if any); check the features for damaged values.");
        }

        /** The epoch's mean |dLoss/dh_t| per step t over its recorded batches (empty if none recorded). */
        private static List<Double> flow(State s) {
            List<Double> out = new ArrayList<>();
            if (s.flowSum() != null && s.flowCount() != null) {
                for (int t = 0; t < s.flowSum().length && t < s.flowCount().length; t++) {
                    out.add(s.flowCount()[t] > 0 ? s.flowSum()[t] / s.flowCount()[t] : 0.0);
                }
            }
            return out;
        }

        private State next(int epoch, int batchInEpoch, double lr, double bestScore, int bestEpoch, int without,
                           double epochLossSum, long epochCount, double gradNormSum, long gradSteps, long clippedSteps,
                           double[] flowSum, long[] flowCount) {
            int[] iterations = new int[adams.size()];
            for (int i = 0; i < iterations.length; i++) {
                iterations[i] = adams.get(i).iteration();
            }
            long iteration = adams.isEmpty() ? state.iteration() : adams.get(0).iteration();
            return new State(epoch, batchInEpoch, iteration, lr, bestScore, bestEpoch, without, lossPoints, valPoints,
                    state.resumeKeys(), priorSeconds + seconds(start), epochLossSum, epochCount, gradNormSum, gradSteps,
                    clippedSteps, iterations, flowSum, flowCount, task.randomState());
        }

        private void writeCheckpoint() throws IOException {
            ModelBundle.Writer w = task.model(record).json(STATE, state);
            for (int i = 0; i < groups.size(); i++) {
                w.floats(ADAM + "." + groups.get(i).name(), adams.get(i).state().moments());
            }
            w.write(files.latest());
        }

        private void plot() throws IOException {
            LossCurvePlot.write(files.lossCurve(), task.title() + " training", List.of(
                    new LossCurvePlot.Series("train loss", lossPoints), new LossCurvePlot.Series("validation loss", valPoints)));
            GradientFlowPlot.write(files.gradientFlow(), task.title() + ": gradient flow through time", record.history());
        }
    }

    /** "key: a -> b" for every leaf in which two JSON values differ, keys as dotted paths. */
    public static List<String> differences(JsonNode before, JsonNode now) {
        Map<String, JsonNode> a = new TreeMap<>();
        Map<String, JsonNode> b = new TreeMap<>();
        flatten("", before, a);
        flatten("", now, b);
        List<String> out = new ArrayList<>();
        TreeMap<String, Boolean> keys = new TreeMap<>();
        a.keySet().forEach(k -> keys.put(k, true));
        b.keySet().forEach(k -> keys.put(k, true));
        for (String k : keys.keySet()) {
            JsonNode x = a.get(k);
            JsonNode y = b.get(k);
            if (!sameValue(x, y)) {
                out.add(k + " " + text(x) + " -> " + text(y));
            }
        }
        return out;
    }

    private static void flatten(String path, JsonNode node, Map<String, JsonNode> out) {
        if (node != null && node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(path, node);
        }
    }

    private static boolean sameValue(JsonNode x, JsonNode y) {
        if (x == null || y == null || x.isNull() || y.isNull()) {
            return (x == null || x.isNull()) && (y == null || y.isNull());
        }
        if (x.isNumber() && y.isNumber()) {
            // JSON round trips turn a long 7 into an int 7: the same setting.
            return x.decimalValue().compareTo(y.decimalValue()) == 0;
        }
        if (x.isArray() && y.isArray() && x.size() == y.size()) {
            for (int i = 0; i < x.size(); i++) {
                if (!sameValue(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(x, y);
    }

    private static String text(JsonNode n) {
        return n == null || n.isNull() ? "(none)" : n.isTextual() ? n.textValue() : n.toString();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}

package dev.glimpse.vqa;

import dev.glimpse.common.nn.CellKind;
import dev.glimpse.common.train.LearningRateSchedule;
import dev.glimpse.common.train.TrainingLoop;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that decides a VQA training run, immutable; saved in the model's training record
 * and checked on {@code --resume} (a checkpoint continues only under the same architecture).
 *
 * @param questionOnly the blind baseline: the image feature is replaced by a constant, so the
 *                     model can only use the question
 * @param glimpses     question-guided attention heads over the image grid (0 = the pooled-vector baseline)
 * @param attentionDim width of each glimpse's keys and values
 */
public record VqaTrainConfig(int epochs, int batchSize, LearningRateSchedule learningRate, double clipNorm,
                             double dropout, long seed, TargetMode targets, int answers, int maxQuestionLength,
                             int minWordCount, int embedDim, int hiddenDim, int lstmLayers, int fusedDim,
                             boolean questionOnly, int patience, int checkpointEvery, CellKind cell, int tbptt,
                             int glimpses, int attentionDim) {

    public VqaTrainConfig {
        cell = cell == null ? CellKind.LSTM : cell;
        require(tbptt >= 0, "tbptt must be >= 0 (0 = full backpropagation through time)");
        require(epochs >= 1, "epochs must be at least 1");
        require(batchSize >= 1, "batch size must be at least 1");
        require(clipNorm >= 0, "gradient clip norm must be >= 0 (0 = off)");
        require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1)");
        require(answers >= 1, "answer vocabulary size must be at least 1");
        require(maxQuestionLength >= 1, "maximum question length must be at least 1");
        require(minWordCount >= 1, "minimum word count must be at least 1");
        require(embedDim >= 1 && hiddenDim >= 1 && lstmLayers >= 1 && fusedDim >= 1, "layer sizes must be >= 1");
        require(learningRate != null, "a learning-rate schedule is required");
        require(patience >= 0 && checkpointEvery >= 0, "patience and checkpoint-every must be >= 0");
        require(glimpses >= 0 && glimpses <= 16, "glimpses must be in 0..16");
        require(glimpses == 0 || attentionDim >= 1, "glimpses need an attention size >= 1");
        require(glimpses == 0 || !questionOnly, "a question-only model reads no image: glimpses do not go with it");
    }

    /** An LSTM question encoder trained with full BPTT. */
    public VqaTrainConfig(int epochs, int batchSize, LearningRateSchedule learningRate, double clipNorm, double dropout,
                          long seed, TargetMode targets, int answers, int maxQuestionLength, int minWordCount,
                          int embedDim, int hiddenDim, int lstmLayers, int fusedDim, boolean questionOnly, int patience,
                          int checkpointEvery) {
        this(epochs, batchSize, learningRate, clipNorm, dropout, seed, targets, answers, maxQuestionLength, minWordCount,
                embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience, checkpointEvery, CellKind.LSTM, 0, 0, 0);
    }

    /** The recurrent cell of the question encoder and the truncation of BPTT (0 = none). */
    public VqaTrainConfig withRecurrence(CellKind c, int k) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, clipNorm, dropout, seed, targets, answers,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience,
                checkpointEvery, c, k, glimpses, attentionDim);
    }

    /** The loop's part of these settings. */
    public TrainingLoop.Settings loop(boolean progress) {
        return new TrainingLoop.Settings(epochs, learningRate, clipNorm, patience, checkpointEvery, progress);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new dev.glimpse.common.GlimpseException("training configuration: " + message);
        }
    }

    /** The defaults of {@code glimpse train vqa}: the "deeper LSTM Q + norm I" baseline sizes. */
    public static VqaTrainConfig defaults() {
        return new VqaTrainConfig(30, 128, new LearningRateSchedule.Step(1e-3, 10, 5, 0.5), 10.0, 0.5, 42L,
                TargetMode.SOFT, 1000, 20, 1, 300, 512, 2, 1024, false, 0, 1000, CellKind.LSTM, 0, 0, 512);
    }

    /** {@code g} question-guided glimpses over the image grid with keys and values {@code dim} wide (0 = none). */
    public VqaTrainConfig withGlimpses(int g, int dim) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, clipNorm, dropout, seed, targets, answers,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience,
                checkpointEvery, cell, tbptt, g, dim);
    }

    public VqaTrainConfig withEpochs(int v) {
        return new VqaTrainConfig(v, batchSize, learningRate, clipNorm, dropout, seed, targets, answers,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withBatchSize(int v) {
        return new VqaTrainConfig(epochs, v, learningRate, clipNorm, dropout, seed, targets, answers,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withLearningRate(LearningRateSchedule v) {
        return new VqaTrainConfig(epochs, batchSize, v, clipNorm, dropout, seed, targets, answers,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withClipNorm(double v) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, v, dropout, seed, targets, answers,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withDropout(double v) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, clipNorm, v, seed, targets, answers,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withSeed(long v) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, clipNorm, dropout, v, targets, answers,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withTargets(TargetMode v) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, clipNorm, dropout, seed, v, answers,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withAnswers(int v) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, clipNorm, dropout, seed, targets, v,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withMaxQuestionLength(int v) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, clipNorm, dropout, seed, targets, answers,
                v, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withMinWordCount(int v) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, clipNorm, dropout, seed, targets, answers,
                maxQuestionLength, v, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withSizes(int embed, int hidden, int layers, int fused) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, clipNorm, dropout, seed, targets, answers,
                maxQuestionLength, minWordCount, embed, hidden, layers, fused, questionOnly, patience, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withPatience(int v) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, clipNorm, dropout, seed, targets, answers,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, v, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withCheckpointEvery(int v) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, clipNorm, dropout, seed, targets, answers,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, questionOnly, patience, v, cell, tbptt, glimpses, attentionDim);
    }

    public VqaTrainConfig withQuestionOnly(boolean v) {
        return new VqaTrainConfig(epochs, batchSize, learningRate, clipNorm, dropout, seed, targets, answers,
                maxQuestionLength, minWordCount, embedDim, hiddenDim, lstmLayers, fusedDim, v, patience, checkpointEvery, cell, tbptt, glimpses, attentionDim);
    }

    /** The settings that fix the network's shape: a resumed run must match them. */
    public Map<String, Object> architecture() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("answers", answers);
        m.put("maxQuestionLength", maxQuestionLength);
        m.put("minWordCount", minWordCount);
        m.put("embedDim", embedDim);
        m.put("hiddenDim", hiddenDim);
        m.put("lstmLayers", lstmLayers);
        m.put("fusedDim", fusedDim);
        m.put("questionOnly", questionOnly);
        m.put("targets", targets.name());
        if (cell != CellKind.LSTM) {
            m.put("cell", cell.id()); // absent for the LSTM, as in checkpoints written before cells could be chosen
        }
        if (glimpses > 0) {
            m.put("glimpses", glimpses); // absent without, as in checkpoints written before glimpses
            m.put("attentionDim", attentionDim);
        }
        return m;
    }

    /** All settings as a plain map for the training record. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>(architecture());
        m.put("epochs", epochs);
        m.put("batchSize", batchSize);
        m.put("schedule", learningRate);
        m.put("patience", patience);
        m.put("checkpointEvery", checkpointEvery);
        m.put("clipNorm", clipNorm);
        m.put("dropout", dropout);
        m.put("seed", seed);
        m.put("cell", cell.id());
        m.put("tbptt", tbptt);
        return m;
    }
}

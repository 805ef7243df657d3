package dev.glimpse.captioning.train;

import dev.glimpse.common.nn.CellKind;
import dev.glimpse.common.train.LearningRateSchedule;
import dev.glimpse.common.train.TrainingLoop;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that decides how a captioner is trained, immutable and saved in the model file.
 *
 * @param epochs           passes over the training captions
 * @param batchSize        captions per step
 * @param schedule         Adam's learning rate per epoch
 * @param clipNorm         global gradient L2 norm cap (0 = off)
 * @param dropout          dropout rate inside the network during training
 * @param patience         stop after this many epochs without a better validation CIDEr-D (0 = never)
 * @param seed             seeds the parameters, the epoch orders and the blind permutation
 * @param checkpointEvery  also write the resumable checkpoint every this many steps (0 = epoch ends only)
 * @param maxCaptionLength training captions are cut to this many words
 * @param minWordCount     words seen fewer times in the training captions become {@code <unk>}
 * @param valBeam          beam width of the validation captions (1 = greedy)
 * @param valMaxImages     validate on at most this many images (0 = all), for speed on big sets
 * @param blind            experiment: pair every caption with the features of a random other
 *                         training image (re-drawn each epoch), the image-blind baseline
 * @param cell             the recurrent cell of every decoder layer
 * @param captionsPerImage when the encoder trains: captions of each image per epoch (a seeded pick among its own,
 *                         all in one batch with the image), 0 = all; a frozen encoder always reads every caption
 * @param tbptt            truncated BPTT: backpropagate within chunks of this many steps, the state carried
 *                         across them (0 = full BPTT)
 * @param selfCriticalAfter self-critical training (SCST, Rennie et al. 2017, with the mean of the other samples
 *                         as the baseline) from this epoch on: the first N epochs minimise cross-entropy, the later
 *                         ones maximise the CIDEr-D of sampled captions; -1 = never
 * @param selfCriticalSamples captions sampled per image in a self-critical step (at least 2: each one's baseline is
 *                         the mean reward of the others)
 * @param selfCriticalRateScale the schedule's learning rate is multiplied by this in self-critical epochs: the policy
 *                         gradient is noisier than cross-entropy's and, at the rate that trained the model, undoes
 *                         it within an epoch
 */
public record CaptionTrainingConfig(int epochs, int batchSize, LearningRateSchedule schedule, double clipNorm,
                                    double dropout, int patience, long seed, int checkpointEvery,
                                    int maxCaptionLength, int minWordCount, int embedDim, int hiddenDim,
                                    int layers, int attentionDim, boolean attention, int valBeam,
                                    int valMaxImages, boolean blind, CellKind cell, int tbptt,
                                    int captionsPerImage, int selfCriticalAfter, int selfCriticalSamples,
                                    double selfCriticalRateScale) {
    public CaptionTrainingConfig {
        cell = cell == null ? CellKind.LSTM : cell;
        require(tbptt >= 0, "tbptt must be >= 0 (0 = full backpropagation through time)");
        require(captionsPerImage >= 0, "captions per image must be >= 0 (0 = all)");
        require(selfCriticalAfter >= -1, "self-critical-after must be >= 0 (or -1 = never)");
        require(selfCriticalSamples >= 2 && selfCriticalSamples <= 100, "self-critical samples must be in 2..100");
        require(selfCriticalRateScale > 0 && selfCriticalRateScale <= 10, "self-critical lr scale must be in (0, 10]");
        require(epochs >= 1, "epochs must be >= 1");
        require(batchSize >= 1 && batchSize <= MAX_BATCH_SIZE, "batch size must be in 1.." + MAX_BATCH_SIZE);
        require(schedule != null, "a learning-rate schedule is required");
        require(clipNorm >= 0, "clip norm must be >= 0");
        require(dropout >= 0 && dropout < 1, "dropout must be in [0, 1)");
        require(patience >= 0, "patience must be >= 0");
        require(checkpointEvery >= 0, "checkpoint-every must be >= 0");
        require(maxCaptionLength >= 1 && maxCaptionLength <= 100, "max caption length must be in 1..100");
        require(minWordCount >= 1, "min word count must be >= 1");
        require(embedDim >= 1 && hiddenDim >= 1 && layers >= 1 && attentionDim >= 1, "dimensions must be >= 1");
        require(valBeam >= 1 && valBeam <= 20, "validation beam must be in 1..20");
        require(valMaxImages >= 0, "val-max-images must be >= 0");
    }

    /** An LSTM decoder trained with full BPTT. */
    public CaptionTrainingConfig(int epochs, int batchSize, LearningRateSchedule schedule, double clipNorm, double dropout,
                                 int patience, long seed, int checkpointEvery, int maxCaptionLength, int minWordCount,
                                 int embedDim, int hiddenDim, int layers, int attentionDim, boolean attention,
                                 int valBeam, int valMaxImages, boolean blind) {
        this(epochs, batchSize, schedule, clipNorm, dropout, patience, seed, checkpointEvery, maxCaptionLength,
                minWordCount, embedDim, hiddenDim, layers, attentionDim, attention, valBeam, valMaxImages, blind,
                CellKind.LSTM, 0, 0, -1, DEFAULT_SELF_CRITICAL_SAMPLES,
                DEFAULT_SELF_CRITICAL_RATE_SCALE);
    }

    /** Largest captions per step. */
    public static final int MAX_BATCH_SIZE = 4096;

    /** Samples per image of a self-critical step, as ruotianluo's {@code --train_sample_n}. */
    public static final int DEFAULT_SELF_CRITICAL_SAMPLES = 5;
    /** Self-critical epochs learn at a tenth of the schedule's rate (ruotianluo: 5e-5 after cross-entropy at 5e-4). */
    public static final double DEFAULT_SELF_CRITICAL_RATE_SCALE = 0.1;

    /** Whether this epoch (from 0) trains self-critically. */
    public boolean selfCritical(int epoch) {
        return selfCriticalAfter >= 0 && epoch >= selfCriticalAfter;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Show-and-Tell-sized defaults with attention, Adam 4e-4 decayed by 0.8 every 3 epochs, early stopping on CIDEr-D. */
    public static CaptionTrainingConfig defaults() {
        return new CaptionTrainingConfig(20, 64, new LearningRateSchedule.Step(4e-4, 3, 3, 0.8), 5.0, 0.5, 5, 42, 1000,
                16, 5, 512, 512, 1, 512, true, 1, 1000, false);
    }

    /** The loop's part of these settings. */
    public TrainingLoop.Settings loop(boolean progress) {
        return new TrainingLoop.Settings(epochs, schedule, clipNorm, patience, checkpointEvery, progress);
    }

    /**
     * The settings a resumed run must share with the checkpoint: they shape the network, the
     * vocabulary or the order of the data. Epochs, learning rate, patience and the like may change.
     */
    public Map<String, Object> resumeKeys() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batchSize", batchSize);
        m.put("seed", seed);
        m.put("maxCaptionLength", maxCaptionLength);
        m.put("minWordCount", minWordCount);
        m.put("embedDim", embedDim);
        m.put("hiddenDim", hiddenDim);
        m.put("layers", layers);
        m.put("attentionDim", attentionDim);
        m.put("attention", attention);
        m.put("blind", blind);
        return m;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Changes a few settings of a config; {@link #build()} validates the result. */
    public static final class Builder {
        private int epochs;
        private int batchSize;
        private double clipNorm;
        private double dropout;
        private int patience;
        private long seed;
        private int checkpointEvery;
        private int maxCaptionLength;
        private int minWordCount;
        private int embedDim;
        private int hiddenDim;
        private int layers;
        private int attentionDim;
        private boolean attention;
        private int valBeam;
        private int valMaxImages;
        private boolean blind;
        private CellKind cell;
        private int tbptt;
        private int captionsPerImage;
        private int selfCriticalAfter;
        private int selfCriticalSamples;
        private double selfCriticalRateScale;
        private double learningRate;
        private String scheduleName = "none";
        private int decayEvery = 3;
        private double decayFactor = 0.8;
        private int plateauPatience = 2;

        private Builder(CaptionTrainingConfig c) {
            epochs = c.epochs;
            batchSize = c.batchSize;
            clipNorm = c.clipNorm;
            dropout = c.dropout;
            patience = c.patience;
            seed = c.seed;
            checkpointEvery = c.checkpointEvery;
            maxCaptionLength = c.maxCaptionLength;
            minWordCount = c.minWordCount;
            embedDim = c.embedDim;
            hiddenDim = c.hiddenDim;
            layers = c.layers;
            attentionDim = c.attentionDim;
            attention = c.attention;
            valBeam = c.valBeam;
            valMaxImages = c.valMaxImages;
            blind = c.blind;
            cell = c.cell;
            tbptt = c.tbptt;
            captionsPerImage = c.captionsPerImage;
            selfCriticalAfter = c.selfCriticalAfter;
            selfCriticalSamples = c.selfCriticalSamples;
            selfCriticalRateScale = c.selfCriticalRateScale;
            learningRate = c.schedule.base();
            if (c.schedule instanceof LearningRateSchedule.Step s) {
                scheduleName = "step";
                decayEvery = s.every();
                decayFactor = s.factor();
            } else if (c.schedule instanceof LearningRateSchedule.Plateau p) {
                scheduleName = "plateau";
                plateauPatience = p.patience();
                decayFactor = p.factor();
            }
        }

        public Builder epochs(int v) {
            epochs = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder clipNorm(double v) {
            clipNorm = v;
            return this;
        }

        public Builder dropout(double v) {
            dropout = v;
            return this;
        }

        public Builder patience(int v) {
            patience = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder checkpointEvery(int v) {
            checkpointEvery = v;
            return this;
        }

        public Builder maxCaptionLength(int v) {
            maxCaptionLength = v;
            return this;
        }

        public Builder minWordCount(int v) {
            minWordCount = v;
            return this;
        }

        public Builder embedDim(int v) {
            embedDim = v;
            return this;
        }

        public Builder hiddenDim(int v) {
            hiddenDim = v;
            return this;
        }

        public Builder layers(int v) {
            layers = v;
            return this;
        }

        public Builder attentionDim(int v) {
            attentionDim = v;
            return this;
        }

        public Builder attention(boolean v) {
            attention = v;
            return this;
        }

        public Builder valBeam(int v) {
            valBeam = v;
            return this;
        }

        public Builder valMaxImages(int v) {
            valMaxImages = v;
            return this;
        }

        public Builder blind(boolean v) {
            blind = v;
            return this;
        }

        public Builder cell(CellKind v) {
            cell = v;
            return this;
        }

        public Builder tbptt(int v) {
            tbptt = v;
            return this;
        }

        public Builder selfCriticalAfter(int v) {
            selfCriticalAfter = v;
            return this;
        }

        public Builder learningRate(double v) {
            learningRate = v;
            return this;
        }

        public Builder decayEvery(int v) {
            decayEvery = v;
            return this;
        }

        public Builder decayFactor(double v) {
            decayFactor = v;
            return this;
        }

        public Builder plateauPatience(int v) {
            plateauPatience = v;
            return this;
        }

        /** {@code none}, {@code step} (decay every {@link #decayEvery} epochs) or {@code plateau}. */
        public Builder schedule(String v) {
            scheduleName = v;
            return this;
        }

        public CaptionTrainingConfig build() {
            LearningRateSchedule s = LearningRateSchedule.of(scheduleName, learningRate, decayEvery, decayEvery, decayFactor,
                    plateauPatience);
            return new CaptionTrainingConfig(epochs, batchSize, s, clipNorm, dropout, patience, seed, checkpointEvery,
                    maxCaptionLength, minWordCount, embedDim, hiddenDim, layers, attentionDim, attention, valBeam,
                    valMaxImages, blind, cell, tbptt, captionsPerImage, selfCriticalAfter, selfCriticalSamples,
                    selfCriticalRateScale);
        }
    }
}

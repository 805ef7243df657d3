package dev.glimpse.app;

import dev.glimpse.captioning.train.CaptionTrainingConfig;
import dev.glimpse.common.train.LearningRateSchedule;
import dev.glimpse.vqa.VqaTrainConfig;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/** Per-model defaults of the shared training options, taken from each trainer's own default configuration. */
abstract class TrainingDefaults implements IDefaultValueProvider {
    private final Map<String, String> values = new HashMap<>();

    TrainingDefaults(int epochs, int batch, LearningRateSchedule schedule, double clipNorm, double dropout, long seed,
                     int patience, int checkpointEvery, int embed, int hidden, int layers, int minWordCount) {
        put("--epochs", epochs);
        put("--batch", batch);
        put("--lr", schedule.base());
        String name = "none";
        int after = 0;
        int every = 1;
        double factor = 0.5;
        int plateau = 2;
        if (schedule instanceof LearningRateSchedule.Step s) {
            name = "step";
            after = s.decayAfter();
            every = s.every();
            factor = s.factor();
        } else if (schedule instanceof LearningRateSchedule.Plateau p) {
            name = "plateau";
            plateau = p.patience();
            factor = p.factor();
        }
        put("--schedule", name);
        put("--decay-after", after);
        put("--decay-every", every);
        put("--decay-factor", factor);
        put("--plateau-patience", plateau);
        put("--clip-norm", clipNorm);
        put("--dropout", dropout);
        put("--seed", seed);
        put("--patience", patience);
        put("--checkpoint-every", checkpointEvery);
        put("--embed", embed);
        put("--hidden", hidden);
        put("--layers", layers);
        put("--min-word-count", minWordCount);
        put("--cell", "lstm");
        put("--tbptt", 0);
    }

    final void put(String option, Object value) {
        values.put(option, String.valueOf(value));
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        if (arg instanceof OptionSpec o) {
            for (String name : o.names()) {
                if (values.containsKey(name)) {
                    return values.get(name);
                }
            }
        }
        return null;
    }

    /** {@code train captioner}. */
    static final class Captioner extends TrainingDefaults {
        Captioner() {
            this(CaptionTrainingConfig.defaults());
        }

        private Captioner(CaptionTrainingConfig c) {
            super(c.epochs(), c.batchSize(), c.schedule(), c.clipNorm(), c.dropout(), c.seed(), c.patience(),
                    c.checkpointEvery(), c.embedDim(), c.hiddenDim(), c.layers(), c.minWordCount());
            put("--max-caption-length", c.maxCaptionLength());
            put("--attention-dim", c.attentionDim());
            put("--val-beam", c.valBeam());
            put("--val-max-images", c.valMaxImages());
        }
    }

    /** {@code train vqa}. */
    static final class Vqa extends TrainingDefaults {
        Vqa() {
            this(VqaTrainConfig.defaults());
        }

        private Vqa(VqaTrainConfig c) {
            super(c.epochs(), c.batchSize(), c.learningRate(), c.clipNorm(), c.dropout(), c.seed(), c.patience(),
                    c.checkpointEvery(), c.embedDim(), c.hiddenDim(), c.lstmLayers(), c.minWordCount());
            put("--fused", c.fusedDim());
            put("--answers", c.answers());
            put("--targets", c.targets().name().toLowerCase(java.util.Locale.ROOT));
            put("--max-question-length", c.maxQuestionLength());
            put("--glimpses", c.glimpses());
            put("--attention-dim", c.attentionDim());
        }
    }
}

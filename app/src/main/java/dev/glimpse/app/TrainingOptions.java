package dev.glimpse.app;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.features.FeatureCoverage;
import dev.glimpse.common.nn.CellKind;
import dev.glimpse.common.train.LearningRateSchedule;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options both trainers share, under one set of names. Defaults differ per model and come from
 * each command's {@code defaultValueProvider}, so {@code --help} shows the right ones.
 */
final class TrainingOptions {
    @Option(names = "--out", paramLabel = "FILE", required = true,
            description = "Where to write the best model (.zip); the checkpoint goes to OUT.ckpt.zip, the loss curve to OUT.loss.png.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in OUT.ckpt.zip (same data and architecture; an error if there is none).")
    boolean resume;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training data (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", paramLabel = "N", description = "Items per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "RATE", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--schedule", paramLabel = "none|step|plateau",
            description = "Learning-rate schedule: step = multiply by --decay-factor every --decay-every epochs after"
                    + " --decay-after; plateau = multiply when validation has not improved for --plateau-patience"
                    + " epochs (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--decay-after", paramLabel = "EPOCHS",
            description = "Step schedule: epochs at the full rate (default: ${DEFAULT-VALUE}).")
    int decayAfter;

    @Option(names = "--decay-every", paramLabel = "EPOCHS",
            description = "Step schedule: decay every N epochs (default: ${DEFAULT-VALUE}).")
    int decayEvery;

    @Option(names = "--decay-factor", paramLabel = "F",
            description = "Learning-rate factor per decay (default: ${DEFAULT-VALUE}).")
    double decayFactor;

    @Option(names = "--plateau-patience", paramLabel = "EPOCHS",
            description = "Plateau schedule: decay after N epochs without improvement (default: ${DEFAULT-VALUE}).")
    int plateauPatience;

    @Option(names = "--clip-norm", paramLabel = "N",
            description = "Global gradient L2 norm cap, 0 = off (default: ${DEFAULT-VALUE}).")
    double clipNorm;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout rate while training (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of parameters and data order (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--patience", paramLabel = "EPOCHS",
            description = "Stop after N epochs without a better validation score, 0 = never (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS",
            description = "Also write the checkpoint every N steps, 0 = epoch ends only (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--embed", paramLabel = "DIM", description = "Word embedding size (default: ${DEFAULT-VALUE}).")
    int embed;

    @Option(names = "--hidden", paramLabel = "DIM", description = "Recurrent layer size (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", paramLabel = "N", description = "Recurrent layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--cell", paramLabel = "lstm|gru|rnn",
            description = "Recurrent cell of every layer: lstm, gru (PyTorch's form: the reset gate multiplies"
                    + " W_hn h + b_hn) or rnn (plain tanh RNN) (default: ${DEFAULT-VALUE}).")
    String cell;

    @Option(names = "--tbptt", paramLabel = "K",
            description = "Truncated backpropagation through time: carry the hidden state across chunks of K steps,"
                    + " backpropagate within each chunk only; 0 = full BPTT (default: ${DEFAULT-VALUE}).")
    int tbptt;

    @Option(names = "--min-word-count", paramLabel = "N",
            description = "Words seen fewer times in the training text become <unk> (default: ${DEFAULT-VALUE}).")
    int minWordCount;

    @Option(names = FeatureCoverage.ALLOW_OPTION, paramLabel = "FRACTION", defaultValue = "0",
            description = "With --features: train even if up to this fraction of the images has no features in the"
                    + " cache (they are counted and left out); 0 = every image must be there (default: ${DEFAULT-VALUE}).")
    double allowMissing;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--fine-tune", paramLabel = "none|last|lastN|all", defaultValue = "none",
            description = "How much of the encoder trains with the model: none (frozen, features computed once),"
                    + " last / lastN (the last N blocks before the grid: ResNet bottlenecks, VGG convolutions,"
                    + " SqueezeNet fire-module halves) or all. The frozen part runs once per image (see --split-cache);"
                    + " batch norm keeps its running statistics frozen (inference formula) while its scale and shift"
                    + " train (default: ${DEFAULT-VALUE}).")
    String fineTune;

    @Option(names = "--encoder-lr", paramLabel = "RATE", defaultValue = "0",
            description = "With --fine-tune: the encoder's Adam learning rate (follows --schedule like --lr);"
                    + " 0 = a tenth of --lr (default: ${DEFAULT-VALUE}).")
    double encoderLr;

    @Option(names = "--split-cache", paramLabel = "DIR",
            description = "With --fine-tune: keep the frozen part's activations at the split point in this cache"
                    + " (float16, checksummed, resumable; reusable by later runs with the same encoder and split);"
                    + " default: in memory.")
    Path splitCache;

    @Option(names = "--encoder-from", paramLabel = "MODEL",
            description = "Encode the images with the encoder of a trained captioner or VQA model, fine-tuned parameters"
                    + " included (frozen here; features kept in memory). E.g. train VQA on the encoder a captioner fine-tuned.")
    Path encoderFrom;

    @Option(names = "--init-from", paramLabel = "MODEL",
            description = "With --fine-tune (captioner): start the decoder and the feature standardisation from a model"
                    + " trained on the same data with the frozen encoder, as im2txt's second phase does.")
    Path initFrom;

    dev.glimpse.common.encoder.FineTune fineTuneMode() {
        return dev.glimpse.common.encoder.FineTune.parse(fineTune);
    }

    /** The encoder's learning rate as a multiple of the decoder's. */
    double encoderRateScale() {
        require(encoderLr >= 0 && encoderLr <= 1, "--encoder-lr must be in [0, 1], got " + encoderLr);
        return encoderLr == 0 ? 0.1 : encoderLr / learningRate().base();
    }

    CellKind cellKind() {
        try {
            return CellKind.parse(cell);
        } catch (IllegalArgumentException e) {
            throw new GlimpseException("--cell: " + e.getMessage());
        }
    }

    int tbptt() {
        require(tbptt >= 0, "--tbptt must be >= 0 (0 = full backpropagation through time), got " + tbptt);
        return tbptt;
    }

    LearningRateSchedule learningRate() {
        return LearningRateSchedule.of(schedule, lr, decayAfter, decayEvery, decayFactor, plateauPatience);
    }

    static void require(boolean ok, String message) {
        if (!ok) {
            throw new GlimpseException(message);
        }
    }
}

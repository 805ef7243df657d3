package dev.glimpse.app;

import dev.glimpse.captioning.train.CaptionDataLoader;
import dev.glimpse.captioning.train.CaptionDataset;
import dev.glimpse.captioning.train.CaptionTrainer;
import dev.glimpse.captioning.train.CaptionTrainingConfig;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.train.Checkpoints;
import dev.glimpse.common.train.GradientFlowPlot;
import dev.glimpse.common.train.TrainingLoop;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code glimpse train captioner}: trains a caption model and writes the best one to {@code --out}. */
@Command(name = "captioner", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = TrainingDefaults.Captioner.class,
        header = "Train an image captioner (CNN features + LSTM, GRU or RNN with attention).",
        description = {
                "Data: a COCO captions file (--captions, --images; validation from",
                "--val-captions, or 5%% of the training images held out), or a Karpathy",
                "split file (--karpathy, --images; train+restval / val).",
                "Features: a cache made by `glimpse features` (--features DIR), or the images",
                "encoded once with --encoder and kept in memory (small data) or written to",
                "--cache-features DIR.",
                "Writes the best model by validation CIDEr-D to --out, the latest checkpoint",
                "to OUT.ckpt.zip (--resume continues it), the loss curve to OUT.loss.png,",
                "the gradient flow through time (|dLoss/dh_t| per step) to OUT.gradflow.png."})
final class TrainCaptionerCommand implements Callable<Integer>, DistributedTraining.Distributable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--captions", paramLabel = "FILE", description = "COCO captions JSON of the training images.")
    Path captions;

    @Option(names = "--karpathy", paramLabel = "FILE", description = "Karpathy split JSON (instead of --captions).")
    Path karpathy;

    @Option(names = "--images", paramLabel = "DIR", required = true, description = "Folder the image file names are relative to.")
    Path images;

    @Option(names = "--val-captions", paramLabel = "FILE", description = "COCO captions JSON of the validation images.")
    Path valCaptions;

    @Option(names = "--val-images", paramLabel = "DIR", description = "Folder of the validation images (default: --images).")
    Path valImages;

    @Option(names = "--features", paramLabel = "DIR", description = "Feature cache of the train and validation images.")
    Path features;

    @Option(names = "--cache-features", paramLabel = "DIR",
            description = "Extract features with --encoder into this cache first (resumable), then train from it;"
                    + " later runs (e.g. --blind) can pass it as --features.")
    Path cacheFeatures;

    @Mixin
    EncoderOptions encoder;

    @Mixin
    TrainingOptions training;

    @Option(names = "--max-caption-length", paramLabel = "WORDS", description = "Training captions are cut to N words (default: ${DEFAULT-VALUE}).")
    int maxCaptionLength;

    @Option(names = "--attention-dim", paramLabel = "DIM", description = "Attention projection size (default: ${DEFAULT-VALUE}).")
    int attentionDim;

    @Option(names = "--no-attention", description = "Show-and-Tell without attention.")
    boolean noAttention;

    @Option(names = "--val-beam", paramLabel = "K", description = "Beam width of validation captions, 1 = greedy (default: ${DEFAULT-VALUE}).")
    int valBeam;

    @Option(names = "--val-max-images", paramLabel = "N", description = "Validate on at most N images, 0 = all (default: ${DEFAULT-VALUE}).")
    int valMaxImages;

    @Option(names = "--captions-per-image", paramLabel = "K", defaultValue = "0",
            description = "With --fine-tune: K captions of each image per epoch (a seeded pick), 0 = all (default: ${DEFAULT-VALUE})."
                    + " The encoder runs once per image of a batch, so fewer captions per image make an epoch cheaper.")
    int captionsPerImage;

    @Option(names = "--self-critical-after", paramLabel = "N", defaultValue = "-1",
            description = "Self-critical training (SCST): cross-entropy for the first N epochs, then each step samples"
                    + " captions and raises the CIDEr-D of those that beat the others' mean; -1 = never (default: ${DEFAULT-VALUE})."
                    + " Dropout is off in those epochs. Continue a cross-entropy run with --resume and more --epochs.")
    int selfCriticalAfter;

    @Option(names = "--self-critical-samples", paramLabel = "K", defaultValue = "5",
            description = "Captions sampled per image in a self-critical step, >= 2 (default: ${DEFAULT-VALUE}).")
    int selfCriticalSamples;

    @Option(names = "--self-critical-lr-scale", paramLabel = "X", defaultValue = "0.1",
            description = "Self-critical epochs learn at X times the schedule's rate (default: ${DEFAULT-VALUE}).")
    double selfCriticalRateScale;

    @Option(names = "--blind", description = "Experiment: train on features of random other images (image-blind baseline).")
    boolean blind;

    CaptionTrainingConfig config() {
        TrainingOptions t = training;
        try {
            return new CaptionTrainingConfig(t.epochs, t.batch, t.learningRate(), t.clipNorm, t.dropout, t.patience, t.seed,
                    t.checkpointEvery, maxCaptionLength, t.minWordCount, t.embed, t.hidden, t.layers, attentionDim,
                    !noAttention, valBeam, valMaxImages, blind, t.cellKind(), t.tbptt(), captionsPerImage,
                    selfCriticalAfter, selfCriticalSamples, selfCriticalRateScale);
        } catch (IllegalArgumentException e) {
            throw new GlimpseException("train captioner: " + e.getMessage());
        }
    }

    /** Where step gradients come from: this machine, or a cluster's workers (glimpse-spark sets it). */
    TrainingLoop.GradientsFactory gradients = TrainingLoop.GradientsFactory.LOCAL;

    @Override
    public void gradients(TrainingLoop.GradientsFactory gradients) {
        this.gradients = gradients;
    }

    /** What a run trains on, as the options name it; closing releases the features. */
    private record Inputs(CaptionTrainingConfig cfg, CaptionDataset data, TrainingFeatures feats) {}

    private Inputs inputs(PrintWriter err) {
        if ((captions == null) == (karpathy == null)) {
            throw new GlimpseException("train captioner: give either --captions FILE or --karpathy FILE");
        }
        if (karpathy != null && valCaptions != null) {
            throw new GlimpseException("train captioner: --val-captions goes with --captions; a Karpathy file has its own val split");
        }
        if (gradients != TrainingLoop.GradientsFactory.LOCAL && features == null) {
            throw new GlimpseException("train captioner: training across workers reads a feature cache (--features DIR,"
                    + " made by `glimpse features` or `glimpse-spark features`), at the same path on every worker");
        }
        if (training.initFrom != null && training.fineTuneMode().none()) {
            throw new GlimpseException("train captioner: --init-from goes with --fine-tune (the second phase: the encoder"
                    + " learns from where the frozen-encoder model left off)");
        }
        CaptionTrainingConfig cfg = config();
        // With a cache every listed image is kept (the cache must hold them all); else the files must exist.
        CaptionDataLoader loader = new CaptionDataLoader(cfg,
                features != null ? (id, file) -> true : (id, file) -> file != null && Files.isRegularFile(file));
        CaptionDataset data = karpathy != null ? loader.karpathy(karpathy, images)
                : loader.coco(captions, images, valCaptions, valImages);
        err.printf("data: %d training captions of %d images, %d validation images, vocabulary %d words%n",
                data.train().size(), data.trainImageIds().length, data.valReferences().size(), data.vocabulary().size());
        if (!training.fineTuneMode().none()) {
            if (features != null || cacheFeatures != null || gradients != TrainingLoop.GradientsFactory.LOCAL) {
                throw new GlimpseException("train captioner: --fine-tune reads the images (the encoder changes); --features and"
                        + " --cache-features hold frozen-encoder features (use --split-cache DIR instead), and it trains on"
                        + " this machine only");
            }
            return new Inputs(cfg, data, null);
        }
        TrainingFeatures feats = TrainingFeatures.open(features, cacheFeatures, encoder, training.encoderFrom, data.imageFiles(),
                cfg.attention(), training.allowMissing, training.quiet, err);
        return new Inputs(cfg, data.only(feats.usable()), feats);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter outLine = spec.commandLine().getOut();
        Inputs in = inputs(err);
        if (in.feats() == null) {
            try (TrainingFeatures.FineTuned ft = TrainingFeatures.openFineTune(training, encoder, in.data().imageFiles(), err)) {
                CaptionTrainer.Result r = new CaptionTrainer(in.cfg(), !training.quiet)
                        .train(in.data(), null, ft.setup(), Checkpoints.beside(training.out), training.resume, err);
                outLine.printf("best model: %s (epoch %d, validation CIDEr-D %.3f); %s; %.0f s%n", r.bestModel(),
                        r.bestEpoch(), r.bestCider(), r.stopReason(), r.seconds());
                outLine.printf("checkpoint: %s%nloss curve: %s%n", r.checkpoint(), r.lossCurve());
            }
            return ExitCodes.OK;
        }
        try (TrainingFeatures feats = in.feats()) {
            CaptionTrainer.Result r = new CaptionTrainer(in.cfg(), !training.quiet)
                    .train(in.data(), feats.source(), Checkpoints.beside(training.out), training.resume, gradients, err);
            outLine.printf("best model: %s (epoch %d, validation CIDEr-D %.3f); %s; %.0f s%n", r.bestModel(),
                    r.bestEpoch(), r.bestCider(), r.stopReason(), r.seconds());
            outLine.printf("checkpoint: %s%nloss curve: %s%n", r.checkpoint(), r.lossCurve());
            if (Files.isRegularFile(r.gradientFlow())) {
                outLine.printf("gradient flow: %s%n", r.gradientFlow());
            }
            String gradients = GradientFlowPlot.summary(r.history());
            if (!gradients.isEmpty()) {
                outLine.println("gradients, " + gradients);
            }
        }
        return ExitCodes.OK;
    }

    @Override
    public DistributedTraining.Worker worker(ModelBundle start, Path startFile, PrintWriter log) {
        Inputs in = inputs(log);
        try {
            return new DistributedTraining.Worker(
                    CaptionTrainer.task(in.cfg(), in.data(), in.feats().source(), start, startFile), in.feats());
        } catch (RuntimeException e) {
            in.feats().closeQuietly();
            throw e;
        }
    }
}

package dev.glimpse.app;

import dev.glimpse.captioning.train.CaptionDataLoader;
import dev.glimpse.captioning.train.CaptionDataset;
import dev.glimpse.captioning.train.CaptionTrainer;
import dev.glimpse.captioning.train.CaptionTrainingConfig;
import dev.glimpse.common.features.InMemoryFeatures;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderRequest;
import dev.glimpse.common.encoder.Encoders;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.features.FeatureCache;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.features.EncoderFeatureSource;
import dev.glimpse.common.features.FeatureExtractor;
import dev.glimpse.common.features.ImageRef;
import dev.glimpse.common.image.ImageLoader;
import java.util.ArrayList;
import java.util.List;
import dev.glimpse.common.train.Checkpoints;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code glimpse train captioner}: trains a caption model and writes the best one to {@code --out}. */
@Command(name = "captioner", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Train an image captioner (CNN features + LSTM with attention).",
        description = {
                "Data: a COCO captions file (--captions, --images; validation from",
                "--val-captions, or 5%% of the training images held out), or a Karpathy",
                "split file (--karpathy, --images; train+restval / val).",
                "Features: a cache made by `glimpse features` (--features DIR), or the images",
                "encoded once with --encoder and kept in memory (small data) or written to",
                "--cache-features DIR.",
                "Writes the best model by validation CIDEr-D to --out, the latest checkpoint",
                "to OUT.ckpt.zip (--resume continues it), the loss curve to OUT.loss.png."})
final class TrainCaptionerCommand implements Callable<Integer> {
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

    @ArgGroup(exclusive = true)
    Weights weights = new Weights();

    static final class Weights {
        @Option(names = "--weights", paramLabel = "FILE", description = "Encoder weights file.")
        Path file;

        @Option(names = "--random-init-encoder", description = "Random encoder weights (for tests and synthetic data).")
        boolean randomInit;
    }

    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = "resnet50",
            description = "Encoder for on-the-fly features: resnet50, vgg16, squeezenet (default: ${DEFAULT-VALUE}).")
    String encoder;

    @Option(names = "--encoder-seed", paramLabel = "N", defaultValue = "12345", description = "Seed of random encoder weights.")
    long encoderSeed;

    @Option(names = "--encoder-size", paramLabel = "PX", defaultValue = "0",
            description = "Square encoder input side (0 = the network's own; smaller is faster for small images).")
    int encoderSize;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Where to write the best model (.zip).")
    Path out;

    @Option(names = "--resume", description = "Continue from OUT.ckpt.zip (same data and architecture).")
    boolean resume;

    @Option(names = "--epochs", paramLabel = "N", description = "Passes over the training captions (default 20).") Integer epochs;
    @Option(names = "--batch", paramLabel = "N", description = "Captions per step (default 64).") Integer batch;
    @Option(names = "--lr", paramLabel = "RATE", description = "Adam learning rate (default 4e-4).") Double lr;
    @Option(names = "--schedule", paramLabel = "none|step|plateau", description = "Learning-rate schedule (default step).") String schedule;
    @Option(names = "--decay-every", paramLabel = "EPOCHS", description = "Step schedule: decay every N epochs (default 3).") Integer decayEvery;
    @Option(names = "--decay-factor", paramLabel = "F", description = "Learning-rate factor per decay (default 0.8).") Double decayFactor;
    @Option(names = "--clip-norm", paramLabel = "N", description = "Global gradient norm cap, 0 = off (default 5).") Double clipNorm;
    @Option(names = "--dropout", paramLabel = "P", description = "Dropout after the LSTM layers (default 0.5).") Double dropout;
    @Option(names = "--patience", paramLabel = "EPOCHS", description = "Early stopping on validation CIDEr-D (0 = off).") Integer patience;
    @Option(names = "--seed", paramLabel = "N", description = "Seed of parameters and data order (default 42).") Long seed;
    @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "Also checkpoint every N steps, 0 = epoch ends only (default 1000).") Integer checkpointEvery;
    @Option(names = "--max-caption-length", paramLabel = "WORDS", description = "Training captions are cut to N words (default 16).") Integer maxCaptionLength;
    @Option(names = "--min-word-count", paramLabel = "N", description = "Rarer words become <unk> (default 5).") Integer minWordCount;
    @Option(names = "--embed", paramLabel = "DIM", description = "Word embedding size (default 512).") Integer embed;
    @Option(names = "--hidden", paramLabel = "DIM", description = "LSTM size (default 512).") Integer hidden;
    @Option(names = "--layers", paramLabel = "N", description = "LSTM layers (default 1).") Integer layers;
    @Option(names = "--attention-dim", paramLabel = "DIM", description = "Attention projection size (default 512).") Integer attentionDim;
    @Option(names = "--no-attention", description = "Show-and-Tell without attention.") boolean noAttention;
    @Option(names = "--val-beam", paramLabel = "K", description = "Beam width of validation captions (default 1 = greedy).") Integer valBeam;
    @Option(names = "--val-max-images", paramLabel = "N", description = "Validate on at most N images, 0 = all (default 1000).") Integer valMaxImages;
    @Option(names = "--blind", description = "Experiment: train on features of random other images (image-blind baseline).")
    boolean blind;
    @Option(names = "--quiet", description = "No progress bar.") boolean quiet;

    CaptionTrainingConfig config() {
        CaptionTrainingConfig.Builder b = CaptionTrainingConfig.defaults().toBuilder();
        if (epochs != null) b.epochs(epochs);
        if (batch != null) b.batchSize(batch);
        if (lr != null) b.learningRate(lr);
        if (schedule != null) b.schedule(schedule);
        if (decayEvery != null) b.decayEvery(decayEvery);
        if (decayFactor != null) b.decayFactor(decayFactor);
        if (clipNorm != null) b.clipNorm(clipNorm);
        if (dropout != null) b.dropout(dropout);
        if (patience != null) b.patience(patience);
        if (seed != null) b.seed(seed);
        if (checkpointEvery != null) b.checkpointEvery(checkpointEvery);
        if (maxCaptionLength != null) b.maxCaptionLength(maxCaptionLength);
        if (minWordCount != null) b.minWordCount(minWordCount);
        if (embed != null) b.embedDim(embed);
        if (hidden != null) b.hiddenDim(hidden);
        if (layers != null) b.layers(layers);
        if (attentionDim != null) b.attentionDim(attentionDim);
        if (noAttention) b.attention(false);
        if (valBeam != null) b.valBeam(valBeam);
        if (valMaxImages != null) b.valMaxImages(valMaxImages);
        if (blind) b.blind(true);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new GlimpseException("train captioner: " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter outLine = spec.commandLine().getOut();
        if ((captions == null) == (karpathy == null)) {
            throw new GlimpseException("train captioner: give either --captions FILE or --karpathy FILE");
        }
        if (karpathy != null && valCaptions != null) {
            throw new GlimpseException("train captioner: --val-captions goes with --captions; a Karpathy file has its own val split");
        }
        CaptionTrainingConfig cfg = config();
        Checkpoints files = Checkpoints.beside(out);
        if (features != null && cacheFeatures != null) {
            throw new GlimpseException("train captioner: --features reads an existing cache, --cache-features makes one: pick one");
        }
        FeatureCache cache = null;
        ImageEncoder enc = null;
        try {
            if (features != null) {
                cache = FeatureCache.open(features);
            } else {
                enc = Encoders.open(new EncoderRequest(encoder, weights.file, weights.randomInit, encoderSeed, encoderSize));
            }
            final FeatureCache c = cache;
            CaptionDataLoader loader = new CaptionDataLoader(cfg,
                    c != null ? (id, file) -> c.contains(id) : (id, file) -> file != null && Files.isRegularFile(file));
            CaptionDataset data = karpathy != null ? loader.karpathy(karpathy, images)
                    : loader.coco(captions, images, valCaptions, valImages);
            err.printf("data: %d training captions of %d images, %d validation images, vocabulary %d words%n",
                    data.train().size(), data.trainImageIds().length, data.valReferences().size(), data.vocabulary().size());
            FeatureSource source;
            if (c != null) {
                source = c;
            } else {
                if (cacheFeatures != null) {
                    List<ImageRef> refs = new ArrayList<>();
                    data.imageFiles().forEach((id, file) -> refs.add(new ImageRef(id, file)));
                    FeatureExtractor.Report rep = FeatureExtractor.extract(refs, enc, cacheFeatures,
                            new FeatureExtractor.Options(16, new ImageLoader(), quiet ? null : System.err));
                    if (!rep.skipped().isEmpty()) {
                        throw new GlimpseException(rep.skipped().get(0).file() + ": " + rep.skipped().get(0).reason()
                                + " (" + rep.skipped().size() + " images could not be encoded)");
                    }
                    cache = FeatureCache.open(cacheFeatures);
                    source = cache;
                } else {
                    // Small data: encode every image once, keep the features in memory for all epochs.
                    source = InMemoryFeatures.extract(new EncoderFeatureSource(enc, data.imageFiles(), new ImageLoader()),
                            data.imageFiles().keySet().stream().mapToLong(Long::longValue).toArray(), 16,
                            cfg.attention(), !quiet);
                }
            }
            CaptionTrainer.Result r = new CaptionTrainer(cfg, !quiet).train(data, source, files, resume, err);
            outLine.printf("best model: %s (epoch %d, validation CIDEr-D %.3f); %s; %.0f s%n", r.bestModel(),
                    r.bestEpoch(), r.bestCider(), r.stopReason(), r.seconds());
            outLine.printf("checkpoint: %s%nloss curve: %s%n", r.checkpoint(), r.lossCurve());
            return ExitCodes.OK;
        } finally {
            if (enc != null) {
                enc.close();
            }
            if (cache != null) {
                cache.close();
            }
        }
    }
}

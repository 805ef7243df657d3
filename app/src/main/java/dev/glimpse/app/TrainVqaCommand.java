package dev.glimpse.app;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderRequest;
import dev.glimpse.common.encoder.Encoders;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.features.EncoderFeatureSource;
import dev.glimpse.common.features.FeatureCache;
import dev.glimpse.common.features.FeatureCoverage;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.features.InMemoryFeatures;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.train.Checkpoints;
import dev.glimpse.common.train.DatasetFile;
import dev.glimpse.common.train.EpochMetrics;
import dev.glimpse.datasets.ReadOptions;
import dev.glimpse.datasets.VqaCorpus;
import dev.glimpse.datasets.VqaQuestion;
import dev.glimpse.datasets.VqaReader;
import dev.glimpse.vqa.BlindFeatures;
import dev.glimpse.vqa.LearningRateSchedule;
import dev.glimpse.vqa.TargetMode;
import dev.glimpse.vqa.VqaItem;
import dev.glimpse.vqa.VqaTrainConfig;
import dev.glimpse.vqa.VqaTrainer;
import dev.glimpse.vqa.eval.VqaResultsFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code glimpse train vqa}: trains a VQA model from VQA v2 layout files. */
@Command(name = "vqa", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Train a VQA model (LSTM question + CNN image feature, elementwise fusion).",
        description = {"Writes the best model (by validation VQA accuracy) to --out, a resumable checkpoint",
                "beside it (<out>.ckpt.zip) and the loss curve (<out>.loss.png)."})
public final class TrainVqaCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--questions", required = true, paramLabel = "Q.json", description = "Training questions.")
    Path questions;
    @Option(names = "--annotations", required = true, paramLabel = "A.json", description = "Training annotations.")
    Path annotations;
    @Option(names = "--images", paramLabel = "DIR", description = "Training images (not needed with --features or --question-only).")
    Path images;
    @Option(names = "--val-questions", paramLabel = "Q.json", description = "Validation questions.")
    Path valQuestions;
    @Option(names = "--val-annotations", paramLabel = "A.json", description = "Validation annotations.")
    Path valAnnotations;
    @Option(names = "--val-images", paramLabel = "DIR", description = "Validation images (default: --images).")
    Path valImages;
    @Option(names = "--features", paramLabel = "DIR", description = "Feature cache made by 'glimpse features' (else images are encoded on the fly).")
    Path features;
    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = "resnet50", description = "Encoder for on-the-fly features: resnet50, vgg16, squeezenet (default: ${DEFAULT-VALUE}).")
    String encoder;
    @Option(names = "--random-init-encoder", description = "Seeded random encoder weights (offline demos and tests only).")
    boolean randomInitEncoder;
    @Option(names = "--encoder-weights", paramLabel = "FILE", description = "Local encoder weights file.")
    Path encoderWeights;
    @Option(names = "--question-only", description = "Blind baseline: ignore images, answer from the question alone.")
    boolean questionOnly;
    @Option(names = "--out", required = true, paramLabel = "vqa.zip", description = "Model file to write.")
    Path out;
    @Option(names = "--resume", description = "Continue from <out>.ckpt.zip.")
    boolean resume;

    @Option(names = "--epochs", defaultValue = "30") int epochs;
    @Option(names = "--batch", defaultValue = "128") int batch;
    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default: ${DEFAULT-VALUE}).") double lr;
    @Option(names = "--lr-decay-after", defaultValue = "10", description = "Epochs at the full rate (default: ${DEFAULT-VALUE}).") int lrDecayAfter;
    @Option(names = "--lr-decay-every", defaultValue = "5") int lrDecayEvery;
    @Option(names = "--lr-decay", defaultValue = "0.5", description = "Rate factor per decay step (default: ${DEFAULT-VALUE}).") double lrDecay;
    @Option(names = "--clip", defaultValue = "10", description = "Global gradient-norm clip, 0 = off (default: ${DEFAULT-VALUE}).") double clip;
    @Option(names = "--dropout", defaultValue = "0.5") double dropout;
    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--targets", defaultValue = "soft", description = "soft (min(count/3,1) per answer) or hard (most common answer).") String targets;
    @Option(names = "--answers", defaultValue = "1000", description = "Answer vocabulary size K (default: ${DEFAULT-VALUE}).") int answers;
    @Option(names = "--max-question-length", defaultValue = "20") int maxQuestionLength;
    @Option(names = "--min-word-count", defaultValue = "1") int minWordCount;
    @Option(names = "--embed", defaultValue = "300") int embed;
    @Option(names = "--hidden", defaultValue = "512") int hidden;
    @Option(names = "--layers", defaultValue = "2") int layers;
    @Option(names = "--fused", defaultValue = "1024") int fused;
    @Option(names = "--no-progress", description = "No progress bar.") boolean noProgress;

    @Override
    public Integer call() throws Exception {
        VqaTrainConfig cfg = config();
        PrintWriter log = spec.commandLine().getErr();
        boolean needImages = !questionOnly && features == null;
        if (needImages && images == null) {
            throw new GlimpseException("--images DIR is needed (or --features DIR, or --question-only)");
        }
        if ((valQuestions == null) != (valAnnotations == null)) {
            throw new GlimpseException("--val-questions and --val-annotations go together");
        }
        ReadOptions read = needImages ? ReadOptions.REQUIRE_FILES : ReadOptions.DEFAULT;
        // without images (feature cache, question-only) the reader still wants a root to resolve names against
        Path trainRoot = images != null ? images : questions.toAbsolutePath().getParent();
        VqaCorpus train = VqaReader.read(questions, annotations, trainRoot, read);
        VqaCorpus val = valQuestions == null ? null
                : VqaReader.read(valQuestions, valAnnotations, valImages != null ? valImages : trainRoot, read);
        List<VqaItem> trainItems = items(train);
        List<VqaItem> valItems = val == null ? List.of() : items(val);
        List<DatasetFile> data = new ArrayList<>(List.of(DatasetFile.of("train questions", questions),
                DatasetFile.of("train annotations", annotations)));
        if (val != null) {
            data.add(DatasetFile.of("val questions", valQuestions));
            data.add(DatasetFile.of("val annotations", valAnnotations));
        }
        long[] imageIds = LongStream.concat(trainItems.stream().mapToLong(VqaItem::imageId),
                valItems.stream().mapToLong(VqaItem::imageId)).distinct().toArray();

        ImageEncoder enc = null;
        FeatureCache cache = null;
        try {
            FeatureSource feats;
            if (questionOnly) {
                feats = new BlindFeatures();
            } else if (features != null) {
                cache = FeatureCache.open(features);
                FeatureCoverage.requireAll(cache, imageIds, features.toString());
                feats = cache;
            } else {
                enc = Encoders.open(new EncoderRequest(encoder, encoderWeights, randomInitEncoder,
                        EncoderRequest.DEFAULT_SEED));
                log.println("encoder: " + enc.info().describe());
                Map<Long, Path> files = new HashMap<>();
                train.images().forEach(i -> files.put(i.id(), i.file()));
                if (val != null) {
                    val.images().forEach(i -> files.put(i.id(), i.file()));
                }
                feats = InMemoryFeatures.extract(new EncoderFeatureSource(enc, files, new ImageLoader()),
                        imageIds, 16, false, !noProgress);
            }
            VqaTrainer.Result result = new VqaTrainer(cfg, log, !noProgress)
                    .train(trainItems, valItems, feats, data, Checkpoints.beside(out), resume);
            PrintWriter w = spec.commandLine().getOut();
            w.printf("wrote %s (best epoch %d of %d)%n", out, result.bestEpoch(), cfg.epochs());
            if (!valItems.isEmpty()) {
                Path answersFile = valResultsFile(out);
                FeatureSource std = result.best().questionOnly() ? feats : result.best().imageSide().features(feats, out);
                VqaResultsFile.write(answersFile, result.best().answerAll(valItems, std, cfg.batchSize()));
                w.println("validation answers of the best model: " + answersFile
                        + " (score with glimpse evaluate vqa --results ...)");
                printBest(w, result);
            }
            w.flush();
        } finally {
            if (enc != null) {
                enc.close();
            }
            if (cache != null) {
                cache.close();
            }
        }
        return ExitCodes.OK;
    }

    /** {@code vqa.zip} -> {@code vqa.val-results.json} beside it. */
    static Path valResultsFile(Path out) {
        String name = out.getFileName().toString();
        String stem = name.endsWith(".zip") ? name.substring(0, name.length() - 4) : name;
        return out.toAbsolutePath().resolveSibling(stem + ".val-results.json");
    }

    private static void printBest(PrintWriter w, VqaTrainer.Result result) {
        if (result.bestEpoch() < 1) {
            return;
        }
        EpochMetrics best = result.history().get(result.bestEpoch() - 1);
        w.printf("validation VQA accuracy (epoch %d): %.2f%n", best.epoch(), best.validation().get("accuracy"));
        for (String group : List.of("answer_type:", "question_type:")) {
            w.println("  per " + group.replace("_", " ").replace(":", ""));
            new java.util.TreeMap<>(best.validation()).forEach((k, v) -> {
                if (k.startsWith(group)) {
                    w.printf("    %-20s %6.2f%n", k.substring(group.length()), v);
                }
            });
        }
    }

    private VqaTrainConfig config() {
        TargetMode mode = switch (targets.toLowerCase(java.util.Locale.ROOT)) {
            case "soft" -> TargetMode.SOFT;
            case "hard" -> TargetMode.HARD;
            default -> throw new GlimpseException("--targets must be soft or hard, got " + targets);
        };
        LearningRateSchedule schedule;
        try {
            schedule = new LearningRateSchedule(lr, lrDecayAfter, lrDecayEvery, lrDecay);
        } catch (IllegalArgumentException e) {
            throw new GlimpseException(e.getMessage());
        }
        return new VqaTrainConfig(epochs, batch, schedule, clip, dropout, seed, mode, answers, maxQuestionLength,
                minWordCount, embed, hidden, layers, fused, questionOnly);
    }

    static List<VqaItem> items(VqaCorpus corpus) {
        List<VqaItem> out = new ArrayList<>(corpus.questions().size());
        for (VqaQuestion q : corpus.questions()) {
            out.add(new VqaItem(q.questionId(), q.imageId(), q.question(), q.questionType(), q.answerType(),
                    q.answers()));
        }
        return out;
    }
}

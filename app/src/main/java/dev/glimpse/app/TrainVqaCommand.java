package dev.glimpse.app;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.train.Checkpoints;
import dev.glimpse.common.train.TrainingLoop;
import dev.glimpse.common.train.DatasetFile;
import dev.glimpse.common.train.EpochMetrics;
import dev.glimpse.common.train.GradientFlowPlot;
import dev.glimpse.datasets.ReadOptions;
import dev.glimpse.datasets.VqaCorpus;
import dev.glimpse.datasets.VqaQuestion;
import dev.glimpse.datasets.VqaReader;
import dev.glimpse.vqa.BlindFeatures;
import dev.glimpse.vqa.TargetMode;
import dev.glimpse.vqa.VqaItem;
import dev.glimpse.vqa.VqaTrainConfig;
import dev.glimpse.vqa.VqaTrainer;
import dev.glimpse.vqa.eval.VqaResultsFile;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code glimpse train vqa}: trains a VQA model from VQA v2 layout files. */
@Command(name = "vqa", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = TrainingDefaults.Vqa.class,
        header = "Train a VQA model (LSTM, GRU or RNN question + CNN image feature, elementwise fusion).",
        description = "Data: VQA v1/v2 questions and annotations files (--questions, --annotations, --images;"
                + " validation from --val-questions/--val-annotations). Features: a cache made by `glimpse features`"
                + " (--features DIR), or the images encoded once with --encoder. Writes the best model by validation"
                + " VQA accuracy to --out, the latest checkpoint to OUT.ckpt.zip (--resume continues it), the loss"
                + " curve to OUT.loss.png, the gradient flow through time to OUT.gradflow.png and the best model's"
                + " validation answers to OUT.val-results.json.")
public final class TrainVqaCommand implements Callable<Integer>, DistributedTraining.Distributable {
    @Spec
    CommandSpec spec;

    @Option(names = "--questions", required = true, paramLabel = "Q.json", description = "Training questions (VQA JSON).")
    Path questions;
    @Option(names = "--annotations", required = true, paramLabel = "A.json", description = "Training annotations (VQA JSON).")
    Path annotations;
    @Option(names = "--images", paramLabel = "DIR", description = "Training images (not needed with --features or --question-only).")
    Path images;
    @Option(names = "--val-questions", paramLabel = "Q.json", description = "Validation questions.")
    Path valQuestions;
    @Option(names = "--val-annotations", paramLabel = "A.json", description = "Validation annotations.")
    Path valAnnotations;
    @Option(names = "--val-images", paramLabel = "DIR", description = "Validation images (default: --images).")
    Path valImages;
    @Option(names = "--features", paramLabel = "DIR", description = "Feature cache made by 'glimpse features' (else images are encoded with --encoder).")
    Path features;

    @Mixin
    EncoderOptions encoder;

    @Mixin
    TrainingOptions training;

    @Option(names = "--fused", paramLabel = "DIM", description = "Size of the fused image-question vector (default: ${DEFAULT-VALUE}).")
    int fused;
    @Option(names = "--answers", paramLabel = "K", description = "Answer vocabulary: the K most frequent answers (default: ${DEFAULT-VALUE}).")
    int answers;
    @Option(names = "--targets", paramLabel = "soft|hard",
            description = "soft = min(count/3, 1) per answer, hard = the most common answer (default: ${DEFAULT-VALUE}).")
    String targets;
    @Option(names = "--max-question-length", paramLabel = "WORDS", description = "Questions are cut to N words (default: ${DEFAULT-VALUE}).")
    int maxQuestionLength;
    @Option(names = "--question-only", description = "Blind baseline: ignore images, answer from the question alone.")
    boolean questionOnly;
    @Option(names = "--glimpses", paramLabel = "K",
            description = {"Question-guided attention over the image grid: K glimpses (each a softmax over the grid cells,"
                    + " with each cell's position), added to the pooled vector before the product with the question;"
                    + " lets answers bind colour to shape and compare places, which the grid mean cannot."
                    + " 0 = the \"deeper LSTM Q + norm I\" baseline (default: ${DEFAULT-VALUE})."})
    int glimpses;
    @Option(names = "--attention-dim", paramLabel = "DIM", description = "With --glimpses: width of each glimpse's keys and values (default: ${DEFAULT-VALUE}).")
    int attentionDim;

    /** Where step gradients come from: this machine, or a cluster's workers (glimpse-spark sets it). */
    TrainingLoop.GradientsFactory gradients = TrainingLoop.GradientsFactory.LOCAL;

    @Override
    public void gradients(TrainingLoop.GradientsFactory gradients) {
        this.gradients = gradients;
    }

    /** What a run trains on, as the options name it; {@code feats} is null for question-only. */
    private record Inputs(VqaTrainConfig cfg, List<VqaItem> train, List<VqaItem> val, List<DatasetFile> data,
                          TrainingFeatures feats, FeatureSource raw, Map<Long, Path> files) {}

    private Inputs inputs(PrintWriter log) {
        if (training.initFrom != null) {
            throw new GlimpseException("train vqa: --init-from is for train captioner --fine-tune (start the decoder from a"
                    + " model trained on the frozen encoder)");
        }
        VqaTrainConfig cfg = config();
        boolean needImages = !questionOnly && features == null;
        if (needImages && gradients != TrainingLoop.GradientsFactory.LOCAL) {
            throw new GlimpseException("train vqa: training across workers reads a feature cache (--features DIR, made by"
                    + " `glimpse features` or `glimpse-spark features`, at the same path on every worker) or none (--question-only)");
        }
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
        Map<Long, Path> files = new LinkedHashMap<>();
        train.images().forEach(i -> files.put(i.id(), i.file()));
        if (val != null) {
            val.images().forEach(i -> files.put(i.id(), i.file()));
        }
        if (!training.fineTuneMode().none()) {
            return new Inputs(cfg, trainItems, valItems, data, null, null, files);
        }
        TrainingFeatures feats = questionOnly ? null
                : TrainingFeatures.open(features, null, encoder, training.encoderFrom, files, glimpses > 0, training.allowMissing,
                        training.quiet, log);
        if (feats != null) {
            trainItems = trainItems.stream().filter(i -> feats.usable().contains(i.imageId())).toList();
            valItems = valItems.stream().filter(i -> feats.usable().contains(i.imageId())).toList();
        }
        return new Inputs(cfg, trainItems, valItems, data, feats, feats == null ? new BlindFeatures() : feats.source(), files);
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter log = spec.commandLine().getErr();
        Inputs in = inputs(log);
        VqaTrainConfig cfg = in.cfg();
        List<VqaItem> valItems = in.val();
        Path out = training.out;
        if (!training.fineTuneMode().none()) {
            fineTuned(in.train(), valItems, in.data(), in.files(), cfg, log);
            return ExitCodes.OK;
        }
        try {
            FeatureSource raw = in.raw();
            VqaTrainer.Result result = new VqaTrainer(cfg, log, !training.quiet)
                    .train(in.train(), valItems, raw, in.data(), Checkpoints.beside(out), training.resume, gradients);
            PrintWriter w = spec.commandLine().getOut();
            w.printf("wrote %s (best epoch %d of %d)%n", out, result.bestEpoch(), cfg.epochs());
            Path flow = Checkpoints.beside(out).gradientFlow();
            if (Files.isRegularFile(flow)) {
                w.println("gradient flow: " + flow);
            }
            String gradients = GradientFlowPlot.summary(result.history());
            if (!gradients.isEmpty()) {
                w.println("gradients, " + gradients);
            }
            if (!valItems.isEmpty()) {
                Path answersFile = valResultsFile(out);
                FeatureSource std = result.best().questionOnly() ? raw : result.best().imageSide().features(raw, out);
                VqaResultsFile.write(answersFile, result.best().answerAll(valItems, std, cfg.batchSize()));
                w.println("validation answers of the best model: " + answersFile
                        + " (score with glimpse evaluate vqa --results ...)");
                printBest(w, result);
            }
            w.flush();
        } finally {
            if (in.feats() != null) {
                in.feats().close();
            }
        }
        return ExitCodes.OK;
    }

    /** --fine-tune: the encoder's trainable part learns with the model; features come through it at every step. */
    private void fineTuned(List<VqaItem> trainItems, List<VqaItem> valItems, List<DatasetFile> data, Map<Long, Path> files,
                           VqaTrainConfig cfg, PrintWriter log) throws Exception {
        if (features != null || questionOnly) {
            throw new GlimpseException("train vqa: --fine-tune reads the images (the encoder changes); it does not go with"
                    + " --features (frozen-encoder features; use --split-cache DIR) or --question-only");
        }
        Path out = training.out;
        try (TrainingFeatures.FineTuned ft = TrainingFeatures.openFineTune(training, encoder, files, log)) {
            VqaTrainer.Result result = new VqaTrainer(cfg, log, !training.quiet)
                    .train(trainItems, valItems, null, ft.setup(), data, Checkpoints.beside(out), training.resume);
            PrintWriter w = spec.commandLine().getOut();
            w.printf("wrote %s (best epoch %d of %d)%n", out, result.bestEpoch(), cfg.epochs());
            if (!valItems.isEmpty()) {
                Path answersFile = valResultsFile(out);
                ft.setup().encoder().restore(result.best().imageSide().tuned());
                FeatureSource std = dev.glimpse.common.imageside.FineTunedFeatures.of(ft.setup().encoder(),
                        ft.setup().splitActivations(), result.best().imageSide().standardizer(), null, glimpses > 0).source();
                VqaResultsFile.write(answersFile, result.best().answerAll(valItems, std, cfg.batchSize()));
                w.println("validation answers of the best model: " + answersFile
                        + " (score with glimpse evaluate vqa --results ...)");
                printBest(w, result);
            }
            w.flush();
        }
    }

    @Override
    public DistributedTraining.Worker worker(ModelBundle start, Path startFile, PrintWriter log) {
        Inputs in = inputs(log);
        try {
            return new DistributedTraining.Worker(VqaTrainer.task(in.cfg(), in.train(), in.val(), in.raw(), in.data(),
                    start, startFile, log), in.feats());
        } catch (RuntimeException e) {
            if (in.feats() != null) {
                in.feats().closeQuietly();
            }
            throw e;
        }
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
            new TreeMap<>(best.validation()).forEach((k, v) -> {
                if (k.startsWith(group)) {
                    w.printf("    %-20s %6.2f%n", k.substring(group.length()), v);
                }
            });
        }
    }

    private VqaTrainConfig config() {
        TargetMode mode = switch (targets.toLowerCase(Locale.ROOT)) {
            case "soft" -> TargetMode.SOFT;
            case "hard" -> TargetMode.HARD;
            default -> throw new GlimpseException("--targets must be soft or hard, got " + targets);
        };
        TrainingOptions t = training;
        return new VqaTrainConfig(t.epochs, t.batch, t.learningRate(), t.clipNorm, t.dropout, t.seed, mode, answers,
                maxQuestionLength, t.minWordCount, t.embed, t.hidden, t.layers, fused, questionOnly, t.patience,
                t.checkpointEvery, t.cellKind(), t.tbptt(), glimpses, attentionDim);
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

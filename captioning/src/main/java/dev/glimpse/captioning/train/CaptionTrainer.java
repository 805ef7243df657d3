package dev.glimpse.captioning.train;

import dev.glimpse.captioning.decode.CaptionDecoder;
import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.captioning.decode.Decoded;
import dev.glimpse.captioning.eval.CaptionEvaluator;
import dev.glimpse.captioning.eval.EvaluationReport;
import dev.glimpse.captioning.model.CaptionModel;
import dev.glimpse.captioning.model.NetDecoderStep;
import dev.glimpse.common.io.RecordDiff;
import dev.glimpse.captioning.net.CaptionBatch;
import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.captioning.net.CaptionNetConfig;
import dev.glimpse.captioning.net.StepLoss;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.imageside.ImageSide;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.nn.Adam;
import dev.glimpse.common.text.Vocabulary;
import dev.glimpse.common.train.Checkpoints;
import dev.glimpse.common.train.DatasetFile;
import dev.glimpse.common.train.EpochMetrics;
import dev.glimpse.common.train.LossCurvePlot;
import dev.glimpse.common.train.Progress;
import dev.glimpse.common.train.TrainingRecord;
import dev.glimpse.datasets.Batches;
import dev.glimpse.datasets.SeededShuffle;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains a captioner: epochs of shuffled, length-bucketed batches through {@link CaptionNet} with
 * Adam and global-norm clipping; after each epoch the validation loss and the BLEU-4 / CIDEr-D of
 * decoded validation captions (the coco-caption scorer). The best model by CIDEr-D is written to
 * the output file, the latest resumable checkpoint (optimizer state included) beside it, both
 * atomically. One trainer is reusable; each {@link #train} call is one run.
 */
public final class CaptionTrainer {
    /** Training-loss points are averaged over this many steps for the curve. */
    static final int LOSS_POINT_EVERY = 10;
    /** Validation images decoded per batch. */
    static final int DECODE_BATCH = 64;

    private final CaptionTrainingConfig config;
    private final boolean showProgress;

    public CaptionTrainer(CaptionTrainingConfig config, boolean showProgress) {
        this.config = config;
        this.showProgress = showProgress;
    }

    /** What a run produced. */
    public record Result(Path bestModel, Path checkpoint, Path lossCurve, double bestCider, int bestEpoch,
                         List<EpochMetrics> history, String stopReason, double seconds) {}

    /** Validation figures of one epoch. */
    record Validation(double loss, double bleu4, double cider, Map<Long, String> captions) {}

    public Result train(CaptionDataset data, FeatureSource rawFeatures, Checkpoints out,
                        boolean resume, PrintWriter log) throws IOException {
        CaptionTrainingConfig cfg = config;
        long startNanos = System.nanoTime();
        Vocabulary vocab = data.vocabulary();
        var info = rawFeatures.info();
        CaptionNetConfig netConfig = new CaptionNetConfig(vocab.size(), info.pooledDim(), info.gridDim(),
                cfg.embedDim(), cfg.hiddenDim(), cfg.layers(), cfg.attentionDim(), cfg.attention(), cfg.dropout());
        CaptionNet net = new CaptionNet(netConfig, cfg.seed());
        Adam adam = new Adam(net.params(), cfg.learningRate());
        Map<String, Object> resumeKeys = jsonMap(cfg.resumeKeys());
        List<String> dataSha = data.files().stream().map(DatasetFile::sha256).toList();
        @SuppressWarnings("unchecked")
        Map<String, Object> configMap = Json.MAPPER.convertValue(cfg, LinkedHashMap.class);
        TrainingRecord record = TrainingRecord.start(CaptionModel.KIND, configMap, data.files(), cfg.seed(),
                info.name(), info.randomInit());
        TrainerState state = new TrainerState(0, 0, 0, cfg.learningRate(), Double.NEGATIVE_INFINITY, -1, 0,
                List.of(), List.of(), resumeKeys, dataSha, vocab.sha256(), 0, 0, 0);

        ImageSide imageSide = null;
        if (resume) {
            if (!out.hasLatest()) {
                throw new GlimpseException(out.latest() + ": no checkpoint to resume from (start without --resume)");
            }
            ModelBundle bundle = ModelBundle.read(out.latest());
            CaptionModel saved = CaptionModel.from(bundle, out.latest());
            TrainerState s = bundle.json(TrainerState.ENTRY, TrainerState.class);
            requireSameRun(out.latest(), s, saved, resumeKeys, dataSha, vocab, netConfig, info);
            net.params().copyFrom(saved.params());
            Adam.State adamState = bundle.json(TrainerState.ADAM, Adam.State.class);
            adam.restore(new Adam.State(adamState.iteration(), bundle.floats(TrainerState.ADAM)));
            record = saved.training();
            imageSide = saved.imageSide();
            state = s;
            log.printf("resuming %s at epoch %d, batch %d (step %d)%n", out.latest(), s.epoch() + 1,
                    s.batchInEpoch(), s.iteration());
        } else if (out.hasLatest()) {
            log.println("note: starting a new run; " + out.latest() + " will be replaced (use --resume to continue it)");
        }

        if (imageSide == null) {
            // Fitted once per run on the training images and frozen, so a resumed run and the
            // saved model standardise exactly as the first epoch did.
            imageSide = ImageSide.fit(rawFeatures, data.trainImageIds(), cfg.attention());
        }
        final ImageSide image = imageSide;
        FeatureSource features = imageSide.features(rawFeatures, out.latest());

        Map<Long, Integer> trainIndex = new HashMap<>();
        long[] trainIds = data.trainImageIds();
        for (int i = 0; i < trainIds.length; i++) {
            trainIndex.put(trainIds[i], i);
        }
        List<double[]> lossPoints = new ArrayList<>(state.trainLoss());
        List<double[]> valPoints = new ArrayList<>(state.valLoss());
        String stopReason = "finished " + cfg.epochs() + " epochs";
        double priorSeconds = state.secondsSoFar();
        if (state.epoch() >= cfg.epochs()) {
            stopReason = "already trained " + state.epoch() + " epochs (raise --epochs to continue)";
        }
        if (cfg.patience() > 0 && state.epochsWithoutImprovement() >= cfg.patience()) {
            stopReason = "this run had already stopped early: no better CIDEr-D for "
                    + state.epochsWithoutImprovement() + " epochs (raise --patience to continue)";
            state = new TrainerState(cfg.epochs(), 0, state.iteration(), state.learningRate(), state.bestCider(),
                    state.bestEpoch(), state.epochsWithoutImprovement(), state.trainLoss(), state.valLoss(),
                    state.resumeKeys(), state.dataSha256(), state.vocabularySha256(), state.secondsSoFar(), 0, 0);
        }

        for (int epoch = state.epoch(); epoch < cfg.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            double lr = cfg.schedule().equals("step") ? cfg.stepRate(epoch) : state.learningRate();
            adam.learningRate(lr);
            List<int[]> batches = epochBatches(data.train(), epoch);
            long[] blind = cfg.blind() ? blindMap(trainIds, epoch) : null;
            double lossSum = state.epochLossSum();
            long tokenSum = state.epochTokens();
            double pointSum = 0;
            long pointTokens = 0;
            long iteration = state.iteration();
            int done = state.batchInEpoch();
            try (ProgressBar bar = showProgress ? Progress.bar("epoch " + (epoch + 1) + "/" + cfg.epochs(),
                    data.train().size(), "captions") : null) {
                if (bar != null) {
                    bar.stepTo(skipped(batches, done));
                }
                for (int b = done; b < batches.size(); b++) {
                    int[] rows = batches.get(b);
                    CaptionBatch batch = batch(data.train(), rows, features, cfg.attention(), blind, trainIndex);
                    net.params().zeroGrad();
                    StepLoss sl = net.trainStep(batch, cfg.dropout() > 0);
                    if (cfg.clipNorm() > 0) {
                        net.params().clipGradNorm(cfg.clipNorm());
                    }
                    adam.step();
                    iteration++;
                    lossSum += sl.lossSum();
                    tokenSum += sl.tokens();
                    pointSum += sl.lossSum();
                    pointTokens += sl.tokens();
                    if (iteration % LOSS_POINT_EVERY == 0 || b == batches.size() - 1) {
                        lossPoints.add(new double[] {iteration, pointSum / Math.max(1, pointTokens)});
                        pointSum = 0;
                        pointTokens = 0;
                    }
                    if (bar != null) {
                        bar.stepBy(rows.length);
                        bar.setExtraMessage(String.format(" loss %.3f", sl.mean()));
                    }
                    if (cfg.checkpointEvery() > 0 && iteration % cfg.checkpointEvery() == 0 && b < batches.size() - 1) {
                        state = new TrainerState(epoch, b + 1, iteration, lr, state.bestCider(), state.bestEpoch(),
                                state.epochsWithoutImprovement(), lossPoints, valPoints, resumeKeys, dataSha,
                                vocab.sha256(), priorSeconds + seconds(startNanos), lossSum, tokenSum);
                        writeCheckpoint(out.latest(), net, netConfig, vocab, image, record, adam, state);
                    }
                }
            }
            double trainLoss = tokenSum > 0 ? lossSum / tokenSum : Double.NaN;
            double trainSeconds = seconds(epochStart);
            long valStart = System.nanoTime();
            Validation v = validate(net, data, features, cfg);
            double valSeconds = seconds(valStart);
            valPoints.add(new double[] {iteration, v.loss()});
            boolean better = v.cider() > state.bestCider();
            int bestEpoch = better ? epoch + 1 : state.bestEpoch();
            double bestCider = better ? v.cider() : state.bestCider();
            int without = better ? 0 : state.epochsWithoutImprovement() + 1;
            double nextLr = lr;
            if (cfg.schedule().equals("plateau") && without > 0 && without % cfg.plateauPatience() == 0) {
                nextLr = lr * cfg.decayFactor();
            }
            double epochSeconds = seconds(epochStart);
            Map<String, Double> val = new LinkedHashMap<>();
            val.put("loss", v.loss());
            val.put("perplexity", Math.exp(v.loss()));
            val.put(EvaluationReport.BLEU_4, v.bleu4());
            val.put(EvaluationReport.CIDER_D, v.cider());
            val.put("learningRate", lr);
            record = record.withEpoch(new EpochMetrics(epoch + 1, iteration, trainLoss, val, epochSeconds));
            state = new TrainerState(epoch + 1, 0, iteration, nextLr, bestCider, bestEpoch, without, lossPoints,
                    valPoints, resumeKeys, dataSha, vocab.sha256(), priorSeconds + seconds(startNanos), 0, 0);
            if (better) {
                new CaptionModel(netConfig, vocab, image, record.finishedNow(), net.params().toFloatArray())
                        .write(out.best());
            }
            writeCheckpoint(out.latest(), net, netConfig, vocab, image, record, adam, state);
            LossCurvePlot.write(out.lossCurve(), "captioner training", curves(lossPoints, valPoints));
            log.printf("epoch %d/%d: train loss %.3f, val loss %.3f (perplexity %.1f), BLEU-4 %.3f, CIDEr-D %.3f%s,"
                    + " lr %.2e, %.0f s (train %.0f s, validation %.0f s)%n",
                    epoch + 1, cfg.epochs(), trainLoss, v.loss(), Math.exp(v.loss()), v.bleu4(), v.cider(),
                    better ? " (best)" : "", lr, epochSeconds, trainSeconds, valSeconds);
            log.flush();
            if (cfg.patience() > 0 && without >= cfg.patience()) {
                stopReason = "stopped early: no better validation CIDEr-D for " + without + " epochs";
                break;
            }
        }
        if (!lossPoints.isEmpty()) {
            LossCurvePlot.write(out.lossCurve(), "captioner training", curves(lossPoints, valPoints));
        }
        return new Result(out.best(), out.latest(), out.lossCurve(), state.bestCider(), state.bestEpoch(),
                record.history(), stopReason, priorSeconds + seconds(startNanos));
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static long skipped(List<int[]> batches, int done) {
        long n = 0;
        for (int i = 0; i < done; i++) {
            n += batches.get(i).length;
        }
        return n;
    }

    private static List<LossCurvePlot.Series> curves(List<double[]> train, List<double[]> val) {
        return List.of(new LossCurvePlot.Series("train loss", train), new LossCurvePlot.Series("validation loss", val));
    }

    /** The batches of an epoch: a seeded shuffle, then length buckets (fewer padded LSTM steps). */
    List<int[]> epochBatches(List<CaptionDataset.Sample> samples, int epoch) {
        int[] order = new SeededShuffle(config.seed()).epoch(epoch, samples.size());
        return Batches.byLength(order, i -> samples.get(i).tokens().length, config.batchSize(), 16,
                config.seed() * 31 + epoch);
    }

    /** Blind baseline: each training image's features are another training image's, re-drawn each epoch. */
    private long[] blindMap(long[] trainIds, int epoch) {
        int[] perm = SeededShuffle.permutation(trainIds.length, config.seed() * 7919 + epoch);
        long[] out = new long[trainIds.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = trainIds[perm[i]];
        }
        return out;
    }

    private static CaptionBatch batch(List<CaptionDataset.Sample> samples, int[] rows, FeatureSource features,
                                      boolean withGrid, long[] blind, Map<Long, Integer> trainIndex) {
        long[] ids = new long[rows.length];
        int[][] tokens = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            CaptionDataset.Sample s = samples.get(rows[i]);
            ids[i] = blind == null ? s.imageId() : blind[trainIndex.get(s.imageId())];
            tokens[i] = s.tokens();
        }
        return new CaptionBatch(features.pooled(ids), withGrid ? features.grid(ids) : null, tokens); // [B, F], [B, R, C]
    }

    /** Validation loss over every validation caption and scores of decoded captions of the validation images. */
    Validation validate(CaptionNet net, CaptionDataset data, FeatureSource features, CaptionTrainingConfig cfg) {
        double lossSum = 0;
        long tokens = 0;
        List<CaptionDataset.Sample> val = data.val();
        for (int from = 0; from < val.size(); from += cfg.batchSize()) {
            int[] rows = new int[Math.min(cfg.batchSize(), val.size() - from)];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = from + i;
            }
            StepLoss l = net.evaluate(batch(val, rows, features, cfg.attention(), null, null));
            lossSum += l.lossSum();
            tokens += l.tokens();
        }
        long[] ids = data.valImageIds();
        if (cfg.valMaxImages() > 0 && ids.length > cfg.valMaxImages()) {
            ids = Arrays.copyOf(ids, cfg.valMaxImages());
        }
        Map<Long, String> captions = decode(net, data.vocabulary(), features, cfg.attention(), ids,
                new DecodeOptions(cfg.valBeam(), cfg.maxCaptionLength() + 1, 0, true));
        Map<Long, List<String>> refs = new LinkedHashMap<>();
        for (long id : ids) {
            refs.put(id, data.valReferences().get(id));
        }
        EvaluationReport report = CaptionEvaluator.evaluate(refs, captions);
        return new Validation(tokens > 0 ? lossSum / tokens : Double.NaN, report.score(EvaluationReport.BLEU_4),
                report.score(EvaluationReport.CIDER_D), captions);
    }

    /** Captions for images by id, decoded in batches. */
    static Map<Long, String> decode(CaptionNet net, Vocabulary vocab, FeatureSource features, boolean withGrid,
                                    long[] ids, DecodeOptions options) {
        Map<Long, String> out = new LinkedHashMap<>();
        CaptionDecoder decoder = CaptionDecoder.of(options);
        for (int from = 0; from < ids.length; from += DECODE_BATCH) {
            long[] part = Arrays.copyOfRange(ids, from, Math.min(ids.length, from + DECODE_BATCH));
            INDArray pooled = features.pooled(part); // [B, F]
            INDArray grid = withGrid ? features.grid(part) : null; // [B, R, C]
            List<Decoded> d = decoder.decode(new NetDecoderStep(net, pooled, grid), part.length);
            for (int i = 0; i < part.length; i++) {
                out.put(part[i], vocab.decode(d.get(i).best().words()));
            }
        }
        return out;
    }

    private static void writeCheckpoint(Path file, CaptionNet net, CaptionNetConfig netConfig, Vocabulary vocab,
                                        ImageSide image, TrainingRecord record, Adam adam,
                                        TrainerState state) throws IOException {
        Adam.State a = adam.state();
        new CaptionModel(netConfig, vocab, image, record, net.params().toFloatArray())
                .addTo(ModelBundle.writer(CaptionModel.KIND))
                .json(TrainerState.ENTRY, state)
                .json(TrainerState.ADAM, new Adam.State(a.iteration(), new float[0]))
                .floats(TrainerState.ADAM, a.moments())
                .write(file);
    }

    private static void requireSameRun(Path file, TrainerState s, CaptionModel saved, Map<String, Object> resumeKeys,
                                       List<String> dataSha, Vocabulary vocab, CaptionNetConfig netConfig,
                                       dev.glimpse.common.encoder.EncoderInfo info) {
        List<String> diffs = new ArrayList<>(RecordDiff.of(s.resumeKeys(), resumeKeys));
        if (!s.dataSha256().equals(dataSha)) {
            diffs.add("data files: sha256 " + s.dataSha256() + " vs " + dataSha);
        }
        if (!s.vocabularySha256().equals(vocab.sha256())) {
            diffs.add("vocabulary: " + saved.vocabulary().size() + " words vs " + vocab.size());
        }
        diffs.addAll(RecordDiff.of(saved.net(), netConfig).stream().map(d -> "net." + d).toList());
        if (!saved.imageSide().encoder().sameFeatures(info)) {
            diffs.addAll(RecordDiff.of(saved.imageSide().encoder(), info).stream().map(d -> "encoder." + d).toList());
        }
        if (!diffs.isEmpty()) {
            throw new GlimpseException(file + ": cannot resume, the checkpoint differs from this run in "
                    + String.join("; ", diffs) + " (checkpoint vs now)");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonMap(Map<String, Object> m) {
        return Json.MAPPER.convertValue(m, LinkedHashMap.class);
    }
}

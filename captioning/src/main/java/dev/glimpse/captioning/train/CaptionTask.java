package dev.glimpse.captioning.train;

import dev.glimpse.captioning.decode.CaptionDecoder;
import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.captioning.decode.Decoded;
import dev.glimpse.captioning.eval.CaptionEvaluator;
import dev.glimpse.captioning.eval.EvaluationReport;
import dev.glimpse.captioning.model.CaptionModel;
import dev.glimpse.captioning.model.NetDecoderStep;
import dev.glimpse.captioning.net.CaptionBatch;
import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.captioning.net.CaptionNetConfig;
import dev.glimpse.captioning.net.StepLoss;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.imageside.FeatureStandardizer;
import dev.glimpse.common.imageside.FineTunedFeatures;
import dev.glimpse.common.imageside.FineTuning;
import dev.glimpse.common.imageside.ImageSide;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.nn.Ops;
import dev.glimpse.common.nn.CellKind;
import dev.glimpse.common.text.Vocabulary;
import dev.glimpse.common.train.DatasetFile;
import dev.glimpse.common.train.TrainingLoop;
import dev.glimpse.common.train.TrainingRecord;
import dev.glimpse.datasets.Batches;
import dev.glimpse.datasets.SeededShuffle;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The captioner's side of the training loop: the data order of each epoch (a seeded shuffle, then
 * length buckets, so fewer padded steps), one step through {@link CaptionNet}, validation (loss,
 * then BLEU-4 and CIDEr-D of decoded captions with the coco-caption scorer) and the model's entries.
 */
final class CaptionTask implements TrainingLoop.Task {
    /** Validation images decoded per batch. */
    static final int DECODE_BATCH = 64;
    /** Length buckets per epoch: captions of similar length share a batch. */
    static final int BUCKETS = 16;

    private final CaptionTrainingConfig cfg;
    private final CaptionDataset data;
    private final CaptionNetConfig netConfig;
    private final CaptionNet net;
    private final ImageSide imageSide;
    private final FeatureSource features;
    private final FineTunedFeatures tuned; // null = frozen encoder
    private final double encoderRateScale;
    private final Map<Long, Integer> trainIndex = new HashMap<>();
    private final Map<Integer, List<int[]>> epochBatches = new HashMap<>();
    private final Map<Integer, long[]> blindMaps = new HashMap<>();
    private SelfCritical selfCritical; // made when the first self-critical step needs it

    private CaptionTask(CaptionTrainingConfig cfg, CaptionDataset data, CaptionNetConfig netConfig, CaptionNet net,
                        ImageSide imageSide, FeatureSource features, FineTunedFeatures tuned, double encoderRateScale) {
        this.tuned = tuned;
        this.encoderRateScale = encoderRateScale;
        this.cfg = cfg;
        this.data = data;
        this.netConfig = netConfig;
        this.net = net;
        this.imageSide = imageSide;
        this.features = features;
        long[] trainIds = data.trainImageIds();
        for (int i = 0; i < trainIds.length; i++) {
            trainIndex.put(trainIds[i], i);
        }
    }

    /** A new run, or the one a checkpoint holds (its parameters and feature statistics). */
    static CaptionTask create(CaptionTrainingConfig cfg, CaptionDataset data, FeatureSource rawFeatures,
                              ModelBundle checkpoint, Path file) {
        return create(cfg, data, rawFeatures, null, checkpoint, file);
    }

    /**
     * @param fineTuning null = a frozen encoder whose features {@code rawFeatures} holds; else the encoder
     *                   trains too and {@code rawFeatures} is not read
     */
    static CaptionTask create(CaptionTrainingConfig cfg, CaptionDataset data, FeatureSource rawFeatures, FineTuning fineTuning,
                              ModelBundle checkpoint, Path file) {
        if (fineTuning != null) {
            return createTuned(cfg, data, fineTuning, checkpoint, file);
        }
        var info = rawFeatures.info();
        CaptionNetConfig netConfig = new CaptionNetConfig(data.vocabulary().size(), info.pooledDim(), info.gridDim(),
                cfg.embedDim(), cfg.hiddenDim(), cfg.layers(), cfg.attentionDim(), cfg.attention(), cfg.dropout(), cfg.cell());
        CaptionNet net = new CaptionNet(netConfig, cfg.seed());
        ImageSide imageSide;
        if (checkpoint != null) {
            CaptionModel saved = CaptionModel.from(checkpoint, file);
            imageSide = saved.imageSide();
            if (saved.params().length == net.params().size()) {
                net.params().copyFrom(saved.params());
            }
        } else {
            // Fitted once per run on the training images and frozen, so a resumed run and the saved
            // model standardise exactly as the first epoch did.
            imageSide = ImageSide.fit(rawFeatures, data.trainImageIds(), cfg.attention());
        }
        return new CaptionTask(cfg, data, netConfig, net, imageSide, imageSide.standardizer().wrap(rawFeatures), null, 0);
    }

    private static CaptionTask createTuned(CaptionTrainingConfig cfg, CaptionDataset data, FineTuning ft,
                                           ModelBundle checkpoint, Path file) {
        if (cfg.blind()) {
            throw new GlimpseException("--blind trains on other images' features: it does not go with --fine-tune");
        }
        var info = ft.encoder().info();
        CaptionNetConfig netConfig = new CaptionNetConfig(data.vocabulary().size(), info.pooledDim(), info.gridDim(),
                cfg.embedDim(), cfg.hiddenDim(), cfg.layers(), cfg.attentionDim(), cfg.attention(), cfg.dropout(), cfg.cell());
        CaptionNet net = new CaptionNet(netConfig, cfg.seed());
        FineTunedFeatures tuned;
        if (checkpoint != null) {
            CaptionModel saved = CaptionModel.from(checkpoint, file);
            if (saved.imageSide().tuned() == null) {
                throw new GlimpseException(file + ": the checkpoint was trained with a frozen encoder; resume without --fine-tune");
            }
            ft.encoder().restore(saved.imageSide().tuned());
            if (saved.params().length == net.params().size()) {
                net.params().copyFrom(saved.params());
            }
            tuned = FineTunedFeatures.of(ft.encoder(), ft.splitActivations(), saved.imageSide().standardizer(), null,
                    cfg.attention());
        } else if (ft.initFrom() != null) {
            tuned = FineTunedFeatures.of(ft.encoder(), ft.splitActivations(), startFrom(ft, data, net), null, cfg.attention());
        } else {
            tuned = FineTunedFeatures.of(ft.encoder(), ft.splitActivations(), null, data.trainImageIds(), cfg.attention());
        }
        return new CaptionTask(cfg, data, netConfig, net, tuned.imageSide(), tuned.source(), tuned, ft.learningRateScale());
    }

    /**
     * Copies the decoder of a model trained on the frozen encoder into {@code net} and returns its
     * standardisation, after checking it is that encoder, vocabulary and architecture.
     */
    private static FeatureStandardizer startFrom(FineTuning ft, CaptionDataset data, CaptionNet net) {
        Path file = ft.initFrom();
        CaptionModel start = CaptionModel.read(file);
        if (start.imageSide().tuned() != null) {
            throw new GlimpseException(file + ": --init-from takes a model trained on the frozen encoder; this one already"
                    + " fine-tuned its encoder (continue it with --resume instead)");
        }
        start.imageSide().requireSame(ft.encoder().info(), file, "the encoder fine-tuned now");
        if (!start.vocabulary().sha256().equals(data.vocabulary().sha256())) {
            throw new GlimpseException(file + ": --init-from: its vocabulary (" + start.vocabulary().size() + " words) is not"
                    + " this run's (" + data.vocabulary().size() + "); use the same captions and --min-word-count");
        }
        CaptionNetConfig a = start.net();
        CaptionNetConfig b = net.config();
        boolean same = a.embedDim() == b.embedDim() && a.hiddenDim() == b.hiddenDim() && a.layers() == b.layers()
                && a.attentionDim() == b.attentionDim() && a.attention() == b.attention() && a.cell() == b.cell();
        if (!same || start.params().length != net.params().size()) { // dropout may differ: it shapes no parameter
            throw new GlimpseException(file + ": --init-from: its decoder " + start.net() + " differs from this run's "
                    + net.config() + "; use the same --embed, --hidden, --layers, --attention-dim and --cell");
        }
        net.params().copyFrom(start.params());
        return start.imageSide().standardizer();
    }

    @Override
    public String title() {
        return "captioner";
    }

    @Override
    public String unit() {
        return "captions";
    }

    @Override
    public List<TrainingLoop.ParamGroup> parameters() {
        if (tuned != null) {
            return List.of(new TrainingLoop.ParamGroup("decoder", net.params(), 1.0),
                    new TrainingLoop.ParamGroup("encoder", tuned.params(), encoderRateScale));
        }
        return List.of(new TrainingLoop.ParamGroup("decoder", net.params(), 1.0));
    }

    @Override
    public Map<String, Object> resumeKeys() {
        Map<String, Object> m = new LinkedHashMap<>(cfg.resumeKeys());
        m.put("data", data.files().stream().map(DatasetFile::sha256).toList());
        m.put("vocabulary", data.vocabulary().sha256());
        @SuppressWarnings("unchecked")
        Map<String, Object> net = Json.MAPPER.convertValue(netConfig, LinkedHashMap.class);
        if (netConfig.cell() == CellKind.LSTM) {
            net.remove("cell"); // as in checkpoints written before cells could be chosen, so they still resume
        }
        m.put("net", net);
        m.put("encoder", features.info());
        if (tuned != null) {
            m.put("fineTune", tuned.tunedWeights().mode() + " after " + tuned.tunedWeights().split());
            m.put("encoderRateScale", encoderRateScale);
        }
        return m;
    }

    @Override
    public TrainingRecord newRecord() {
        @SuppressWarnings("unchecked")
        Map<String, Object> configMap = Json.MAPPER.convertValue(cfg, LinkedHashMap.class);
        return TrainingRecord.start(CaptionModel.KIND, configMap, data.files(), cfg.seed(), features.info().name(),
                features.info().randomInit());
    }

    /**
     * The batches of an epoch: a seeded shuffle, then length buckets (fewer padded LSTM steps). When
     * the encoder trains, its forward and backward cost far more than the decoder's, and it runs once
     * per distinct image of a batch: so the images are shuffled and each batch holds all captions of
     * its images (five captions per image: a fifth of the encoder passes per epoch). A self-critical epoch takes the
     * same image batches: it samples captions of each image of a batch.
     */
    List<int[]> batches(List<CaptionDataset.Sample> samples, int epoch) {
        if (tuned != null || cfg.selfCritical(epoch)) {
            return imageBatches(samples, epoch);
        }
        int[] order = new SeededShuffle(cfg.seed()).epoch(epoch, samples.size());
        return Batches.byLength(order, i -> samples.get(i).tokens().length, cfg.batchSize(), BUCKETS,
                cfg.seed() * 31 + epoch);
    }

    private List<int[]> imageBatches(List<CaptionDataset.Sample> samples, int epoch) {
        List<int[]> images = new SeededShuffle(cfg.seed()).groups(epoch, samples.size(), i -> samples.get(i).imageId());
        int k = cfg.captionsPerImage();
        List<int[]> out = new ArrayList<>();
        List<Integer> batch = new ArrayList<>();
        for (int[] image : images) {
            int[] own = image;
            if (k > 0 && k < own.length) {
                // A different pick each epoch, the same for a given seed, epoch and image.
                long id = samples.get(own[0]).imageId();
                int[] pick = SeededShuffle.permutation(own.length, cfg.seed() * 1_000_003L + epoch * 7_919L + id);
                int[] chosen = new int[k];
                for (int c = 0; c < k; c++) {
                    chosen[c] = own[pick[c]];
                }
                own = chosen;
            }
            if (!batch.isEmpty() && batch.size() + own.length > cfg.batchSize()) {
                out.add(batch.stream().mapToInt(Integer::intValue).toArray());
                batch.clear();
            }
            for (int row : own) {
                batch.add(row);
            }
        }
        if (!batch.isEmpty()) {
            out.add(batch.stream().mapToInt(Integer::intValue).toArray());
        }
        return out;
    }

    private List<int[]> epoch(int epoch) {
        if (!epochBatches.containsKey(epoch)) {
            epochBatches.clear();
            epochBatches.put(epoch, batches(data.train(), epoch));
        }
        return epochBatches.get(epoch);
    }

    @Override
    public int batches(int epoch) {
        return epoch(epoch).size();
    }

    @Override
    public int batchSize(int epoch, int batch) {
        return epoch(epoch).get(batch).length;
    }

    @Override
    public TrainingLoop.StepLoss step(int epoch, int batch, int from, int to) {
        if (cfg.selfCritical(epoch)) {
            return selfCriticalStep(epoch, batch, from, to);
        }
        if (tuned != null) {
            int[] rows = epoch(epoch).get(batch);
            if (from != 0 || to != rows.length) {
                rows = Arrays.copyOfRange(rows, from, to);
            }
            long[] ids = new long[rows.length];
            int[][] tokens = new int[rows.length][];
            for (int i = 0; i < rows.length; i++) {
                ids[i] = data.train().get(rows[i]).imageId();
                tokens[i] = data.train().get(rows[i]).tokens();
            }
            FineTunedFeatures.Step st = tuned.forward(ids);
            CaptionNet.FeatureStep fs = net.trainStepWithFeatureGradients(
                    cfg.attention() ? new CaptionBatch(st.pooled(), st.imageGrids(), st.rowOf(), tokens)
                            : new CaptionBatch(st.pooled(), null, tokens), cfg.dropout() > 0);
            tuned.backward(st, fs.dPooled(), fs.dGrid());
            return new TrainingLoop.StepLoss(fs.loss().lossSum(), fs.loss().tokens());
        }
        long[] blind = cfg.blind() ? blindMaps.computeIfAbsent(epoch, this::blindMap) : null;
        int[] rows = epoch(epoch).get(batch);
        if (from != 0 || to != rows.length) {
            rows = Arrays.copyOfRange(rows, from, to);
        }
        StepLoss l = net.trainStep(batch(data.train(), rows, blind), cfg.dropout() > 0, cfg.tbptt());
        return new TrainingLoop.StepLoss(l.lossSum(), l.tokens());
    }

    /**
     * A self-critical step over the images whose first caption is among items [from, to): sampled captions weighted by
     * their CIDEr-D advantage, dropout off (the captions are drawn from, and their gradients taken through, the same
     * network). The draws are seeded by epoch and image, so a resumed or retried step, or the batch cut into slices
     * (Spark), samples the same captions.
     */
    private TrainingLoop.StepLoss selfCriticalStep(int epoch, int batch, int from, int to) {
        if (selfCritical == null) {
            selfCritical = SelfCritical.of(data, cfg.selfCriticalSamples(), cfg.maxCaptionLength() + 1);
        }
        long[] images = imagesStartingIn(epoch(epoch).get(batch), from, to);
        if (images.length == 0) {
            return new TrainingLoop.StepLoss(0, 0);
        }
        int[] rowOf = selfCritical.rowOf(images.length);
        long seed = cfg.seed() * 1_000_003L + epoch * 7_919L; // with the image id: each image's draws of this epoch
        if (tuned != null) {
            long[] rowImages = Arrays.stream(rowOf).mapToLong(u -> images[u]).toArray();
            FineTunedFeatures.Step st = tuned.forward(rowImages); // the encoder runs once per image; pooled per row
            CaptionBatch samples = selfCritical.sample(net, images, st.pooled(), cfg.attention() ? st.imageGrids() : null,
                    seed);
            CaptionNet.FeatureStep fs = net.trainStepWithFeatureGradients(samples, false);
            tuned.backward(st, fs.dPooled(), fs.dGrid());
            return new TrainingLoop.StepLoss(fs.loss().lossSum(), fs.loss().tokens());
        }
        CaptionBatch samples = selfCritical.sample(net, images, Ops.gatherRows(features.pooled(images), rowOf),
                cfg.attention() ? features.grid(images) : null, seed); // features read once per image
        StepLoss l = net.trainStep(samples, false, cfg.tbptt());
        return new TrainingLoop.StepLoss(l.lossSum(), l.tokens());
    }

    /**
     * The distinct images of a batch whose first caption is among items [from, to): slices of one batch (Spark) then
     * sample each image once, whichever slice its other captions fall in.
     */
    private long[] imagesStartingIn(int[] rows, int from, int to) {
        Set<Long> seen = new HashSet<>();
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < to; i++) {
            long id = data.train().get(rows[i]).imageId();
            if (seen.add(id) && i >= from) {
                out.add(id);
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    @Override
    public double rateScale(int epoch) {
        return cfg.selfCritical(epoch) ? cfg.selfCriticalRateScale() : 1.0;
    }

    @Override
    public void recordGradientFlow(boolean on) {
        net.recordGradNorms(on);
    }

    @Override
    public double[] gradientFlow() {
        return net.lastStepGradNorms();
    }

    @Override
    public long[] randomState() {
        return net.dropoutPositions();
    }

    @Override
    public void restoreRandomState(long[] state) {
        net.dropoutPositions(state);
    }

    /** Blind baseline: each training image's features are another training image's, re-drawn each epoch. */
    private long[] blindMap(int epoch) {
        long[] trainIds = data.trainImageIds();
        int[] perm = SeededShuffle.permutation(trainIds.length, cfg.seed() * 7919 + epoch);
        long[] out = new long[trainIds.length];
        for (int i = 0; i < perm.length; i++) {
            out[i] = trainIds[perm[i]];
        }
        return out;
    }

    private CaptionBatch batch(List<CaptionDataset.Sample> samples, int[] rows, long[] blind) {
        long[] ids = new long[rows.length];
        int[][] tokens = new int[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            CaptionDataset.Sample s = samples.get(rows[i]);
            ids[i] = blind == null ? s.imageId() : blind[trainIndex.get(s.imageId())];
            tokens[i] = s.tokens();
        }
        return new CaptionBatch(features.pooled(ids), cfg.attention() ? features.grid(ids) : null, tokens); // [B, F], [B, R, C]
    }

    /** Validation loss over every validation caption and scores of decoded captions of the validation images. */
    @Override
    public TrainingLoop.Validation validate(int epoch) {
        double lossSum = 0;
        long tokens = 0;
        List<CaptionDataset.Sample> val = data.val();
        for (int from = 0; from < val.size(); from += cfg.batchSize()) {
            int[] rows = new int[Math.min(cfg.batchSize(), val.size() - from)];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = from + i;
            }
            StepLoss l = net.evaluate(batch(val, rows, null));
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
        double loss = tokens > 0 ? lossSum / tokens : Double.NaN;
        double bleu4 = report.score(EvaluationReport.BLEU_4);
        double cider = report.score(EvaluationReport.CIDER_D);
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("loss", loss);
        metrics.put("perplexity", Math.exp(loss));
        metrics.put(EvaluationReport.BLEU_4, bleu4);
        metrics.put(EvaluationReport.CIDER_D, cider);
        return new TrainingLoop.Validation(cider, loss, metrics, String.format(
                "val loss %.3f (perplexity %.1f), BLEU-4 %.3f, CIDEr-D %.3f", loss, Math.exp(loss), bleu4, cider));
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

    @Override
    public ModelBundle.Writer model(TrainingRecord record) {
        ImageSide side = tuned != null ? tuned.imageSide() : imageSide;
        return new CaptionModel(netConfig, data.vocabulary(), side, record, net.params().toFloatArray())
                .addTo(ModelBundle.writer(CaptionModel.KIND));
    }
}

package dev.glimpse.vqa;

import dev.glimpse.common.imageside.ImageRows;

import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.imageside.FineTunedFeatures;
import dev.glimpse.common.imageside.FineTuning;
import dev.glimpse.common.imageside.ImageSide;
import dev.glimpse.common.train.DatasetFile;
import dev.glimpse.common.train.TrainingLoop;
import dev.glimpse.common.train.TrainingRecord;
import dev.glimpse.datasets.SeededShuffle;
import dev.glimpse.vqa.eval.VqaEvaluator;
import dev.glimpse.vqa.eval.VqaGroundTruth;
import dev.glimpse.vqa.eval.VqaScores;
import dev.glimpse.vqa.net.VqaNet;
import dev.glimpse.vqa.net.VqaNetConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The VQA model's side of the training loop: vocabularies and targets from the training questions
 * (a resumed run keeps the checkpoint's), a seeded shuffle per epoch cut into mini-batches, one step
 * through {@link VqaNet}, and the official accuracy on the validation questions.
 */
final class VqaTask implements TrainingLoop.Task {
    private final VqaTrainConfig cfg;
    private final VqaTrainingSet set;
    private final List<VqaItem> val;
    private final List<VqaGroundTruth> valTruth;
    private final List<DatasetFile> data;
    private final FeatureSource features;
    private final FineTunedFeatures tuned; // null = frozen encoder
    private final double encoderRateScale;
    private final int featureDim;
    private VqaModel model;
    private int[] order;
    private int orderEpoch = -1;

    private VqaTask(VqaTrainConfig cfg, VqaTrainingSet set, List<VqaItem> val, List<DatasetFile> data,
                    FeatureSource features, int featureDim, VqaModel model, FineTunedFeatures tuned, double encoderRateScale) {
        this.tuned = tuned;
        this.encoderRateScale = encoderRateScale;
        this.cfg = cfg;
        this.set = set;
        this.val = val;
        this.valTruth = val.stream().map(VqaItem::groundTruth).toList();
        this.data = data;
        this.features = features;
        this.featureDim = featureDim;
        this.model = model;
    }

    static VqaTask create(VqaTrainConfig cfg, List<VqaItem> train, List<VqaItem> val, FeatureSource rawFeatures,
                          List<DatasetFile> data, ModelBundle checkpoint, Path file, PrintWriter log) {
        return create(cfg, train, val, rawFeatures, null, data, checkpoint, file, log);
    }

    /** @param fineTuning null = frozen encoder (features from {@code rawFeatures}); else the encoder trains too */
    static VqaTask create(VqaTrainConfig cfg, List<VqaItem> train, List<VqaItem> val, FeatureSource rawFeatures,
                          FineTuning fineTuning, List<DatasetFile> data, ModelBundle checkpoint, Path file, PrintWriter log) {
        if (fineTuning != null && cfg.questionOnly()) {
            throw new GlimpseException("a question-only model reads no image: --fine-tune does not go with it");
        }
        VqaModel restored = checkpoint == null ? null : VqaModel.fromBundle(checkpoint.requireKind(VqaModel.KIND), file);
        VqaTrainingSet set = restored == null
                ? VqaTrainingSet.prepare(train, cfg)
                : VqaTrainingSet.encode(train, restored.questions(), restored.answers(), cfg.targets());
        log.println(set.summary(train.size()));
        var info = cfg.questionOnly() ? null : fineTuning != null ? fineTuning.encoder().info() : rawFeatures.info();
        int featureDim = info == null ? BlindFeatures.DIM : info.pooledDim();
        VqaNetConfig netCfg = new VqaNetConfig(set.questions().vocabulary().size(), cfg.embedDim(), cfg.hiddenDim(),
                cfg.lstmLayers(), featureDim, cfg.fusedDim(), set.answers().size(), cfg.dropout(), cfg.cell());
        boolean attends = cfg.glimpses() > 0;
        if (attends) {
            netCfg = netCfg.withGlimpses(cfg.glimpses(), info.gridRows(), info.gridCols(), info.gridDim(), cfg.attentionDim());
        }
        if (restored != null) {
            netCfg = netCfg.withImageScale(restored.net().config().imageScale()); // a checkpoint keeps the scale it trained with
        }
        VqaNet net = new VqaNet(netCfg, cfg.seed());
        if (restored != null && restored.net().params().size() == net.params().size()) {
            net.params().copyFrom(restored.net().params().toFloatArray());
        }
        long[] trainImages = set.examples().stream().mapToLong(VqaTrainingSet.Example::imageId).toArray();
        if (fineTuning != null) {
            FineTunedFeatures tuned;
            if (restored != null) {
                if (restored.imageSide() == null || restored.imageSide().tuned() == null) {
                    throw new GlimpseException(file + ": the checkpoint was trained with a frozen encoder; resume without --fine-tune");
                }
                fineTuning.encoder().restore(restored.imageSide().tuned());
                tuned = FineTunedFeatures.of(fineTuning.encoder(), fineTuning.splitActivations(),
                        restored.imageSide().standardizer(), null, attends);
            } else {
                tuned = FineTunedFeatures.of(fineTuning.encoder(), fineTuning.splitActivations(), null, trainImages, attends);
            }
            VqaModel model = new VqaModel(netCfg, net, set.questions(), set.answers(), tuned.imageSide(), false, null);
            return new VqaTask(cfg, set, val, data, tuned.source(), featureDim, model, tuned, fineTuning.learningRateScale());
        }
        // the blind model's constant feature stays as it is: centred it would be all zeros
        ImageSide imageSide = cfg.questionOnly() ? null
                : restored != null && restored.imageSide() != null ? restored.imageSide()
                : ImageSide.fit(rawFeatures, trainImages, attends);
        FeatureSource features = imageSide == null ? rawFeatures : imageSide.standardizer().wrap(rawFeatures);
        VqaModel model = new VqaModel(netCfg, net, set.questions(), set.answers(), imageSide, cfg.questionOnly(), null);
        return new VqaTask(cfg, set, val, data, features, featureDim, model, null, 0);
    }

    VqaModel model() {
        return tuned == null ? model : model.withImageSide(tuned.imageSide());
    }

    VqaTrainingSet set() {
        return set;
    }

    @Override
    public String title() {
        return "VQA";
    }

    @Override
    public String unit() {
        return "questions";
    }

    @Override
    public List<TrainingLoop.ParamGroup> parameters() {
        if (tuned != null) {
            return List.of(new TrainingLoop.ParamGroup("net", model.net().params(), 1.0),
                    new TrainingLoop.ParamGroup("encoder", tuned.params(), encoderRateScale));
        }
        return List.of(new TrainingLoop.ParamGroup("net", model.net().params(), 1.0));
    }

    @Override
    public Map<String, Object> resumeKeys() {
        Map<String, Object> m = new LinkedHashMap<>(cfg.architecture());
        m.put("batchSize", cfg.batchSize());
        m.put("seed", cfg.seed());
        m.put("imageFeatureSize", featureDim);
        m.put("data", data.stream().map(DatasetFile::sha256).toList());
        if (features.info() != null) {
            m.put("encoder", features.info());
        }
        if (tuned != null) {
            m.put("fineTune", tuned.tunedWeights().mode() + " after " + tuned.tunedWeights().split());
            m.put("encoderRateScale", encoderRateScale);
        }
        return m;
    }

    @Override
    public void recordGradientFlow(boolean on) {
        model.net().recordGradNorms(on);
    }

    @Override
    public double[] gradientFlow() {
        return model.net().lastStepGradNorms();
    }

    @Override
    public long[] randomState() {
        return model.net().dropoutPositions();
    }

    @Override
    public void restoreRandomState(long[] state) {
        model.net().dropoutPositions(state);
    }

    @Override
    public TrainingRecord newRecord() {
        return TrainingRecord.start(VqaModel.KIND, cfg.asMap(), data, cfg.seed(),
                cfg.questionOnly() ? "none (question-only)" : features.info().name(),
                !cfg.questionOnly() && features.info().randomInit());
    }

    /**
     * The epoch's order of the kept questions: a seeded shuffle, replayed exactly on resume. When the
     * encoder trains, or the glimpses project grids, that runs once per distinct image of a batch, so then the images
     * are shuffled and each image's questions follow one another (a batch holds whole images but at its two ends).
     */
    private int[] order(int epoch) {
        if (orderEpoch != epoch) {
            order = tuned == null && !model.attends() ? new SeededShuffle(cfg.seed()).epoch(epoch, set.examples().size())
                    : byImage(epoch);
            orderEpoch = epoch;
        }
        return order;
    }

    private int[] byImage(int epoch) {
        int[] out = new int[set.examples().size()];
        int at = 0;
        for (int[] image : new SeededShuffle(cfg.seed()).groups(epoch, out.length, i -> set.examples().get(i).imageId())) {
            System.arraycopy(image, 0, out, at, image.length);
            at += image.length;
        }
        return out;
    }

    @Override
    public int batches(int epoch) {
        return (set.examples().size() + cfg.batchSize() - 1) / cfg.batchSize();
    }

    @Override
    public int batchSize(int epoch, int batch) {
        return Math.min(cfg.batchSize(), set.examples().size() - batch * cfg.batchSize());
    }

    @Override
    public TrainingLoop.StepLoss step(int epoch, int batch, int from, int to) {
        int[] order = order(epoch);
        int n = to - from;
        int answers = set.answers().size();
        long[] imageIds = new long[n];
        int[][] questions = new int[n][];
        float[] targets = new float[n * answers];
        for (int i = 0; i < n; i++) {
            VqaTrainingSet.Example ex = set.examples().get(order[batch * cfg.batchSize() + from + i]);
            imageIds[i] = ex.imageId();
            questions[i] = ex.tokens();
            int[] classes = ex.target().classes();
            for (int j = 0; j < classes.length; j++) {
                targets[i * answers + classes[j]] = ex.target().weights()[j];
            }
        }
        INDArray target = Nd4j.createFromArray(targets).reshape(n, answers);      // [B, A]
        if (tuned != null) {
            FineTunedFeatures.Step st = tuned.forward(imageIds);
            VqaNet.FeatureStep fs = model.net().trainStepWithFeatureGradients(model.networkInput(st.pooled()),
                    model.networkGrids(st.imageGrids(), st.rowOf()), questions, target, cfg.dropout() > 0);
            tuned.backward(st, fs.dImage(), fs.dGrids());
            return new TrainingLoop.StepLoss(fs.loss() * n, n);
        }
        INDArray image = model.networkInput(features.pooled(imageIds));           // [B, F]
        VqaNet.Grids grids = null;
        if (model.attends()) {
            ImageRows rows = ImageRows.of(imageIds);
            grids = model.networkGrids(features.grid(rows.distinct()), rows.imageOf());
        }
        double mean = model.net().trainStep(image, grids, questions, target, cfg.dropout() > 0, cfg.tbptt());
        return new TrainingLoop.StepLoss(mean * n, n);
    }

    @Override
    public TrainingLoop.Validation validate(int epoch) {
        if (val.isEmpty()) {
            return new TrainingLoop.Validation(Double.NaN, Double.NaN, Map.of(), "(no validation set)");
        }
        VqaScores scores = VqaEvaluator.evaluate(valTruth, model.answerAll(val, features, cfg.batchSize()));
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", scores.overall());
        scores.perAnswerType().forEach((k, v) -> metrics.put("answer_type:" + k, v));
        scores.perQuestionType().forEach((k, v) -> metrics.put("question_type:" + k, v));
        return new TrainingLoop.Validation(scores.overall(), Double.NaN, metrics,
                String.format("val accuracy %.2f", scores.overall()));
    }

    @Override
    public ModelBundle.Writer model(TrainingRecord record) {
        return model().withTraining(record).bundle();
    }
}

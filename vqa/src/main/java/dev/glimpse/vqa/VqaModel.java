package dev.glimpse.vqa;

import dev.glimpse.common.imageside.ImageRows;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.bundle.ModelLimits;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.imageside.ImageSide;
import dev.glimpse.common.text.Vocabulary;
import dev.glimpse.common.train.TrainingRecord;
import dev.glimpse.vqa.net.VqaNet;
import dev.glimpse.vqa.net.VqaNetConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained VQA model: the network, both vocabularies, the encoder its features came from and
 * how it was trained, travelling together in one model file (kind {@value #KIND}) so inference
 * always encodes questions, images and answers the way training did.
 */
public final class VqaModel {
    public static final String KIND = "vqa";

    /**
     * The model's own settings entry.
     *
     * @param questionOnly blind baseline: images are ignored (constant feature)
     */
    public record Settings(boolean questionOnly, int maxQuestionLength, String questionVocabSha256,
                           String answerVocabSha256) {}

    private final VqaNetConfig config;
    private final VqaNet net;
    private final QuestionEncoder questions;
    private final AnswerVocabulary answers;
    private final ImageSide imageSide;
    private final boolean questionOnly;
    private final TrainingRecord training;

    /**
     * @param imageSide the encoder the image features come from and their standardisation; null for
     *                  the question-only model
     */
    public VqaModel(VqaNetConfig config, VqaNet net, QuestionEncoder questions, AnswerVocabulary answers,
                    ImageSide imageSide, boolean questionOnly, TrainingRecord training) {
        VqaNetConfig c = config;
        if (c.questionVocab() != questions.vocabulary().size() || c.answers() != answers.size()) {
            throw new IllegalArgumentException("network sizes " + c + " do not match the vocabularies ("
                    + questions.vocabulary().size() + " words, " + answers.size() + " answers)");
        }
        this.config = config;
        this.net = net;
        this.questions = questions;
        this.answers = answers;
        if (imageSide == null && !questionOnly) {
            throw new IllegalArgumentException("a model that looks at images needs its image side");
        }
        this.imageSide = questionOnly ? null : imageSide;
        this.questionOnly = questionOnly;
        this.training = training;
    }

    public VqaNet net() {
        return net;
    }

    public VqaNetConfig config() {
        return config;
    }

    public QuestionEncoder questions() {
        return questions;
    }

    public AnswerVocabulary answers() {
        return answers;
    }

    /** The encoder the image features come from and their standardisation; null for question-only. */
    public ImageSide imageSide() {
        return imageSide;
    }

    public boolean questionOnly() {
        return questionOnly;
    }

    /** Standardised image features as the network takes them: plain row-major float. */
    public INDArray networkInput(INDArray features) {
        return rowMajor(features); // [B, F]
    }

    public TrainingRecord training() {
        return training;
    }

    public VqaModel withTraining(TrainingRecord record) {
        return new VqaModel(config, net, questions, answers, imageSide, questionOnly, record);
    }

    /** The same model with another image side (a fine-tuned encoder's current weights). */
    public VqaModel withImageSide(ImageSide side) {
        return new VqaModel(config, net, questions, answers, side, questionOnly, training);
    }

    /** Whether the network reads the image grids too (question-guided glimpses), not only the pooled vector. */
    public boolean attends() {
        return config.attends();
    }

    /** Standardised grids [U, R, C] as the glimpses take them, with each question's image row; null without glimpses. */
    public VqaNet.Grids networkGrids(INDArray grids, int[] imageOf) {
        return attends() ? new VqaNet.Grids(dense(grids), imageOf) : null;
    }

    /** Answer probabilities for a batch of encoded questions about images with these (standardised) features. */
    public INDArray probabilities(INDArray features, int[][] questionIds) {
        return probabilities(features, null, questionIds);
    }

    /** As {@link #probabilities(INDArray, int[][])}, with the grids the glimpses read (null for a model without). */
    public INDArray probabilities(INDArray features, VqaNet.Grids grids, int[][] questionIds) {
        INDArray image = networkInput(features);                               // [B, F]
        return net.predict(image, grids, questionIds);                         // [B, A]
    }

    /**
     * The network's kernels take plain row-major float matrices; a feature cache hands out half
     * precision, and views or other orders come from callers.
     */
    static INDArray rowMajor(INDArray x) {
        long rows = x.size(0);
        long cols = x.size(1);
        if (x.dataType() == DataType.FLOAT && x.ordering() == 'c' && x.stride(1) == 1 && x.stride(0) == cols
                && !x.isView()) {
            return x;
        }
        INDArray dense = x.castTo(DataType.FLOAT).dup('c');
        return Nd4j.create(dense.data(), new long[] {rows, cols}, new long[] {cols, 1}, 0, 'c', DataType.FLOAT);
    }

    /** Any grids as one dense row-major float array. */
    private static INDArray dense(INDArray x) {
        return x.dataType() == DataType.FLOAT && x.ordering() == 'c' && !x.isView() ? x : x.castTo(DataType.FLOAT).dup('c');
    }

    /** The k most probable answers of each row. */
    public List<List<ScoredAnswer>> topAnswers(INDArray features, int[][] questionIds, int k) {
        return topAnswers(features, null, questionIds, k);
    }

    /** As {@link #topAnswers(INDArray, int[][], int)}, with the grids the glimpses read (null for a model without). */
    public List<List<ScoredAnswer>> topAnswers(INDArray features, VqaNet.Grids grids, int[][] questionIds, int k) {
        INDArray probs = probabilities(features, grids, questionIds);
        float[] flat = probs.castTo(DataType.FLOAT).dup('c').data().asFloat();
        List<List<ScoredAnswer>> out = new ArrayList<>(questionIds.length);
        for (int b = 0; b < questionIds.length; b++) {
            out.add(TopAnswers.of(flat, b * answers.size(), answers, k));
        }
        return out;
    }

    /**
     * The model's answer to every item (question id -> answer), read in batches; questions are
     * cut to the length limit rather than refused, so every item gets an answer to score.
     */
    public Map<Long, String> answerAll(List<VqaItem> items, FeatureSource features, int batchSize) {
        Map<Long, String> out = new LinkedHashMap<>();
        for (int from = 0; from < items.size(); from += batchSize) {
            List<VqaItem> batch = items.subList(from, Math.min(items.size(), from + batchSize));
            long[] imageIds = new long[batch.size()];
            int[][] q = new int[batch.size()][];
            for (int i = 0; i < q.length; i++) {
                imageIds[i] = batch.get(i).imageId();
                q[i] = questions.encodeTruncating(batch.get(i).question());
                if (q[i].length == 0) {
                    q[i] = new int[] {Vocabulary.UNK};
                }
            }
            VqaNet.Grids grids = null;
            if (attends()) {
                ImageRows rows = ImageRows.of(imageIds);
                grids = networkGrids(features.grid(rows.distinct()), rows.imageOf());
            }
            List<List<ScoredAnswer>> top = topAnswers(features.pooled(imageIds), grids, q, 1);
            for (int i = 0; i < q.length; i++) {
                out.put(batch.get(i).questionId(), top.get(i).get(0).answer());
            }
        }
        return out;
    }

    // ---- model file ----

    ModelBundle.Writer bundle() {
        ModelBundle.Writer w = ModelBundle.writer(KIND)
                .json("vqa", new Settings(questionOnly, questions.maxLength(), questions.vocabulary().sha256(),
                        answers.sha256()))
                .json("net_config", config)
                .json("question_vocab", questions.vocabulary().words())
                .json("answer_vocab", answers.saved())
                .floats("params", net.params().toFloatArray());
        if (imageSide != null) {
            imageSide.addTo(w);
        }
        if (training != null) {
            w.json("training", training);
        }
        return w;
    }

    public void save(Path file) throws IOException {
        bundle().write(file);
    }

    public static VqaModel load(Path file) {
        return fromBundle(ModelBundle.read(file).requireKind(KIND), file);
    }

    static VqaModel fromBundle(ModelBundle b, Path file) {
        Settings s = b.json("vqa", Settings.class);
        VqaNetConfig cfg = b.json("net_config", VqaNetConfig.class).validate(file + ": net_config.json");
        ModelLimits.dimension(file + ": vqa.json", "maxQuestionLength", s.maxQuestionLength(),
                ModelLimits.MAX_QUESTION_LENGTH);
        Vocabulary vocab = Vocabulary.of(java.util.Arrays.asList(b.json("question_vocab", String[].class)),
                file + ": question_vocab.json");
        AnswerVocabulary.Saved saved = b.json("answer_vocab", AnswerVocabulary.Saved.class);
        ModelLimits.words(file + ": answer_vocab.json: keys", saved.keys(), ModelLimits.MAX_VOCABULARY);
        AnswerVocabulary answers;
        try {
            answers = AnswerVocabulary.of(saved);
        } catch (GlimpseException e) {
            throw new GlimpseException(file + ": answer_vocab.json: " + e.getMessage());
        }
        if (!vocab.sha256().equals(s.questionVocabSha256()) || !answers.sha256().equals(s.answerVocabSha256())) {
            throw new GlimpseException(file + ": vocabulary does not match its recorded sha256 (damaged model file?)");
        }
        if (cfg.questionVocab() != vocab.size() || cfg.answers() != answers.size()) {
            throw new GlimpseException(file + ": network sizes do not match the vocabularies (damaged model file?)");
        }
        String paramsEntry = file + ": params.f32";
        float[] params = ModelLimits.finite(paramsEntry,
                ModelLimits.length(paramsEntry, b.floats("params"), cfg.parameterCount()));
        ImageSide imageSide = null;
        if (!s.questionOnly()) {
            if (!ImageSide.present(b)) {
                throw new GlimpseException(file + ": model file names no image encoder");
            }
            imageSide = ImageSide.read(b, file);
            if (imageSide.encoder().pooledDim() != cfg.featureDim()) {
                throw new GlimpseException(file + ": the image side's feature size " + imageSide.encoder().pooledDim()
                        + " does not match the network's " + cfg.featureDim() + " (damaged model file?)");
            }
            var e = imageSide.encoder();
            if (cfg.attends() && (e.gridRows() != cfg.gridRows() || e.gridCols() != cfg.gridCols() || e.gridDim() != cfg.gridDim()
                    || !imageSide.standardizer().hasGrid())) {
                throw new GlimpseException(file + ": the network's glimpses read a " + cfg.gridRows() + "x" + cfg.gridCols() + "x"
                        + cfg.gridDim() + " grid, the image side gives " + e.gridRows() + "x" + e.gridCols() + "x" + e.gridDim()
                        + (imageSide.standardizer().hasGrid() ? "" : " without grid statistics") + " (damaged model file?)");
            }
        }
        TrainingRecord training = b.hasJson("training") ? b.json("training", TrainingRecord.class) : null;
        VqaNet net = new VqaNet(cfg, 0L);
        net.params().copyFrom(params);
        return new VqaModel(cfg, net, new QuestionEncoder(vocab, s.maxQuestionLength()), answers, imageSide,
                s.questionOnly(), training);
    }
}

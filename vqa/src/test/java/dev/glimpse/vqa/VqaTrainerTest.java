package dev.glimpse.vqa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.train.Checkpoints;
import dev.glimpse.common.train.LearningRateSchedule;
import dev.glimpse.vqa.eval.VqaEvaluator;
import dev.glimpse.vqa.eval.VqaScores;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Training on a toy task whose answers depend on the image: image i has a colour and a count,
 * its feature vector encodes both (one-hot plus noise). A model that uses the image reaches high
 * accuracy; the question-only model cannot beat guessing the most frequent answer per question.
 */
class VqaTrainerTest {
    static final String[] COLORS = {"red", "green", "blue", "yellow"};
    static final int IMAGES = 48;
    static final int DIM = 16;

    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    /** Image features: colour one-hot in 0..3, count one-hot in 4..7, small noise elsewhere. */
    static final class ToyFeatures implements FeatureSource {
        final float[][] rows = new float[IMAGES][DIM];
        final EncoderInfo info = new EncoderInfo("toy", DIM, 1, 1, DIM, PreprocessSpec.plainRgb(8), true,
                "random-init seed=1", null, "g", "mean(g)", "none");

        ToyFeatures() {
            SplittableRandom rng = new SplittableRandom(7);
            for (int i = 0; i < IMAGES; i++) {
                for (int d = 0; d < DIM; d++) {
                    rows[i][d] = (float) (0.05 * rng.nextDouble());
                }
                rows[i][color(i)] += 1;
                rows[i][4 + count(i) - 1] += 1;
            }
        }

        @Override
        public EncoderInfo info() {
            return info;
        }

        @Override
        public boolean contains(long id) {
            return id >= 0 && id < IMAGES;
        }

        @Override
        public INDArray grid(long[] ids) {
            throw new IllegalStateException("VQA reads pooled features only");
        }

        @Override
        public INDArray pooled(long[] ids) {
            float[][] out = new float[ids.length][];
            for (int i = 0; i < ids.length; i++) {
                out[i] = rows[(int) ids[i]];
            }
            return Nd4j.createFromArray(out); // [B, F]
        }
    }

    static int color(int image) {
        return (image * 7 + 3) % 4;
    }

    static int count(int image) {
        return 1 + (image * 5 + 1) % 4;
    }

    static List<VqaItem> items(int fromImage, int toImage) {
        List<VqaItem> out = new ArrayList<>();
        for (int i = fromImage; i < toImage; i++) {
            List<String> c = new ArrayList<>(Collections.nCopies(10, COLORS[color(i)]));
            c.set(i % 10, "purple"); // one annotator slip
            out.add(new VqaItem(i * 10L, i, "What color is the ball?", "what color is the", "other", c));
            out.add(new VqaItem(i * 10L + 1, i, "How many balls are there?", "how many", "number",
                    Collections.nCopies(10, String.valueOf(count(i)))));
        }
        return out;
    }

    static VqaTrainConfig tiny() {
        return VqaTrainConfig.defaults().withEpochs(8).withBatchSize(16).withSizes(8, 16, 1, 32)
                .withLearningRate(new LearningRateSchedule.Constant(0.02)).withDropout(0).withAnswers(20);
    }

    @Test
    void learnsFromTheImageBeatsTheBlindModelAndResumes() throws Exception {
        List<VqaItem> train = items(0, IMAGES);
        ToyFeatures features = new ToyFeatures();
        StringWriter logText = new StringWriter();
        PrintWriter log = new PrintWriter(logText, true);
        Checkpoints files = Checkpoints.beside(dir.resolve("vqa.zip"));
        VqaTrainer.Result full = new VqaTrainer(tiny(), log, false)
                .train(train, train, features, List.of(), files, false);
        double firstLoss = full.history().get(0).trainLoss();
        double lastLoss = full.history().get(full.history().size() - 1).trainLoss();
        assertTrue(lastLoss < 0.5 * firstLoss, "loss " + firstLoss + " -> " + lastLoss);
        VqaScores fullScores = VqaEvaluator.evaluate(train.stream().map(VqaItem::groundTruth).toList(),
                full.best().answerAll(train, full.best().imageSide().features(features, files.best()), 32));

        Checkpoints blindFiles = Checkpoints.beside(dir.resolve("blind.zip"));
        VqaTrainer.Result blind = new VqaTrainer(tiny().withQuestionOnly(true), log, false)
                .train(train, train, new BlindFeatures(), List.of(), blindFiles, false);
        VqaScores blindScores = VqaEvaluator.evaluate(train.stream().map(VqaItem::groundTruth).toList(),
                blind.best().answerAll(train, new BlindFeatures(), 32));
        // colours and counts are uniform over 4 values: the blind model is right on about a quarter
        assertTrue(blindScores.overall() < 40, "blind " + blindScores.overall());
        assertTrue(fullScores.overall() > 80, "full " + fullScores.overall());
        assertTrue(Files.isRegularFile(files.lossCurve()));
        assertTrue(logText.toString().contains("96 of 96 training questions kept"), logText.toString());

        // the best model file round-trips with identical answers and probabilities
        VqaModel loaded = VqaModel.load(files.best());
        int[][] q = {loaded.questions().encode("what color is the ball")};
        assertArrayEquals(full.best().probabilities(features.pooled(new long[] {5}), q).toFloatVector(),
                loaded.probabilities(features.pooled(new long[] {5}), q).toFloatVector(), 0f);
        assertEquals(full.best().answers().saved(), loaded.answers().saved());

        // resuming a finished run with more epochs continues from the checkpoint's epoch count
        VqaTrainer.Result more = new VqaTrainer(tiny().withEpochs(9), log, false)
                .train(train, train, features, List.of(), files, true);
        assertEquals(9, more.history().size());
        assertTrue(logText.toString().contains("after epoch 8"), logText.toString());
        // ... but not with another architecture
        GlimpseException e = assertThrows(GlimpseException.class, () -> new VqaTrainer(
                tiny().withEpochs(12).withSizes(8, 16, 1, 64), log, false)
                .train(train, train, features, List.of(), files, true));
        assertTrue(e.getMessage().contains("fusedDim 32 -> 64"), e.getMessage());
    }

    @Test
    void miniBatchesCoverEveryQuestionOnce() throws Exception {
        List<VqaItem> items = items(0, 16).subList(0, 31); // 31 questions
        VqaTask task = VqaTask.create(tiny().withBatchSize(8), items, List.of(), new ToyFeatures(), List.of(), null, null,
                new PrintWriter(new StringWriter(), true));
        assertEquals(4, task.batches(0));
        assertArrayEquals(new int[] {8, 8, 8, 7}, java.util.stream.IntStream.range(0, 4).map(b -> task.batchSize(0, b)).toArray());
    }
}

package dev.glimpse.vqa.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.nn.Adam;
import dev.glimpse.common.nn.CellKind;
import dev.glimpse.common.nn.GradientCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class VqaNetTest {
    @BeforeAll
    static void init() {
        Backend.init();
    }

    private static int[][] questions(SplittableRandom rng, int batch, int vocab, int minLen, int maxLen) {
        int[][] q = new int[batch][];
        for (int b = 0; b < batch; b++) {
            q[b] = rng.ints(rng.nextInt(minLen, maxLen + 1), 0, vocab).toArray();
        }
        return q;
    }

    private static INDArray uniform(SplittableRandom rng, DataType type, int rows, int cols, double lo, double hi) {
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = lo + (hi - lo) * rng.nextDouble();
        }
        return Nd4j.createFromArray(v).reshape(rows, cols).castTo(type);
    }

    /** Rows are answer distributions, like VQA's soft scores over the 10 human answers. */
    private static INDArray distributions(SplittableRandom rng, DataType type, int rows, int answers) {
        INDArray t = uniform(rng, DataType.DOUBLE, rows, answers, 0, 1);
        t.putScalar(0, 1, 0.0);
        t.divi(t.sum(true, 1));
        return t.castTo(type);
    }

    /** d(loss)/d(image features) through the L2 normalisation and its scale (1: older model files), for a fine-tuned encoder. */
    @ParameterizedTest
    @ValueSource(doubles = {1.0, 0.0})
    void imageFeatureGradientsMatchFiniteDifferences(double scale) {
        VqaNetConfig standard = new VqaNetConfig(7, 4, 5, 2, 6, 5, 4, 0.5);
        VqaNetConfig cfg = scale == 0 ? standard : standard.withImageScale(scale);
        VqaNet net = new VqaNet(cfg, 3, DataType.DOUBLE);
        SplittableRandom rng = new SplittableRandom(6);
        int[][] q = {{1, 2, 3}, {4, 5, 6, 1, 2}, {0}, {3, 3, 6, 2, 0}, {6, 1}};
        INDArray img = uniform(rng, DataType.DOUBLE, q.length, cfg.featureDim(), -1, 2);
        INDArray targets = distributions(rng, DataType.DOUBLE, q.length, cfg.answers());
        VqaNet.FeatureStep step = net.trainStepWithFeatureGradients(img, q, targets, false);
        assertEquals(net.loss(img, q, targets), step.loss(), 1e-12);
        double worst = 0;
        for (long i = 0; i < img.length(); i++) {
            double orig = img.getDouble(i);
            img.putScalar(i, orig + 1e-5);
            double plus = net.loss(img, q, targets);
            img.putScalar(i, orig - 1e-5);
            double minus = net.loss(img, q, targets);
            img.putScalar(i, orig);
            double numeric = (plus - minus) / 2e-5;
            double a = step.dImage().getDouble(i);
            // floor 1e-6 as in the parameter check: round-off of the quotient is ~2e-11
            worst = Math.max(worst, Math.abs(a - numeric) / Math.max(1e-6, Math.max(Math.abs(a), Math.abs(numeric))));
        }
        System.out.println("VqaNet image gradient check: max rel error " + worst);
        assertTrue(worst < 1e-4, "max relative error " + worst);
    }

    /** New networks scale the unit image vector to sqrt(F); model files written before the field read as 1, the old formula. */
    @Test
    void theImageScaleIsSqrtFeatureSizeAndOlderFilesReadAsOne() throws Exception {
        VqaNetConfig cfg = new VqaNetConfig(7, 4, 5, 2, 6, 5, 4, 0.5);
        assertEquals(Math.sqrt(6), cfg.imageScale(), 1e-15);
        String json = dev.glimpse.common.io.Json.MAPPER.writeValueAsString(cfg);
        assertEquals(cfg, dev.glimpse.common.io.Json.MAPPER.readValue(json, VqaNetConfig.class));
        String old = json.replaceAll(",\\s*\"imageScale\" : [0-9.eE-]+", "");
        assertTrue(!old.contains("imageScale"), old);
        assertEquals(cfg.withImageScale(1), dev.glimpse.common.io.Json.MAPPER.readValue(old, VqaNetConfig.class));
        assertThrows(IllegalArgumentException.class, () -> cfg.withImageScale(-2));
        assertThrows(IllegalArgumentException.class, () -> cfg.withImageScale(Double.NaN));
        // the scale changes the answers (same weights), so a file's scale is part of its model
        VqaNet one = new VqaNet(cfg.withImageScale(1), 3);
        VqaNet scaled = new VqaNet(cfg, 3);
        INDArray img = uniform(new SplittableRandom(1), DataType.FLOAT, 2, 6, 0, 1);
        int[][] q = {{1, 2}, {3}};
        assertTrue(one.predict(img, q).sub(scaled.predict(img, q)).amaxNumber().doubleValue() > 1e-4);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        VqaNetConfig cfg = new VqaNetConfig(7, 4, 5, 2, 6, 5, 4, 0.5);
        VqaNet net = new VqaNet(cfg, 3, DataType.DOUBLE);
        net.params().get("emb.e").muli(8); // embeddings large enough to drive the LSTM gates
        SplittableRandom rng = new SplittableRandom(5);
        int[][] q = {{1, 2, 3}, {4, 5, 6, 1, 2}, {0}, {3, 3, 6, 2, 0}, {6, 1}};
        INDArray img = uniform(rng, DataType.DOUBLE, q.length, cfg.featureDim(), 0, 2);
        INDArray targets = distributions(rng, DataType.DOUBLE, q.length, cfg.answers());
        var result = GradientCheck.check(net.params(),
                () -> net.trainStep(img, q, targets, false),
                () -> net.loss(img, q, targets), 8, 1e-5, 1e-6, 9); // floor 1e-6: round-off of the quotient is ~2e-11
        System.out.println("VqaNet gradient check: " + result);
        assertTrue(result.max() < 1e-4, result.toString());
        assertEquals(net.trainStep(img, q, targets, false), net.loss(img, q, targets), 1e-12);
    }

    @ParameterizedTest
    @EnumSource(value = CellKind.class, names = {"GRU", "RNN"})
    void otherCellsGradientsMatchFiniteDifferences(CellKind cell) {
        VqaNetConfig cfg = new VqaNetConfig(7, 4, 5, 2, 6, 5, 4, 0.5, cell);
        VqaNet net = new VqaNet(cfg, 3, DataType.DOUBLE);
        assertEquals(cfg.parameterCount(), net.params().size());
        net.params().get("emb.e").muli(4);
        SplittableRandom rng = new SplittableRandom(5);
        int[][] q = {{1, 2, 3}, {4, 5, 6, 1, 2}, {0}, {3, 3, 6, 2, 0}, {6, 1}};
        INDArray img = uniform(rng, DataType.DOUBLE, q.length, cfg.featureDim(), 0, 2);
        INDArray targets = distributions(rng, DataType.DOUBLE, q.length, cfg.answers());
        var result = GradientCheck.check(net.params(),
                () -> net.trainStep(img, q, targets, false),
                () -> net.loss(img, q, targets), 8, 1e-5, 1e-6, 9);
        System.out.println("VqaNet gradient check " + cell + ": " + result);
        assertTrue(result.max() < 1e-4, result.toString());
    }

    /** Small batches take the layers' inference path, large ones the training path: same answers. */
    @ParameterizedTest
    @EnumSource(CellKind.class)
    void inferencePathEqualsTrainingPathForEveryCell(CellKind cell) {
        VqaNetConfig cfg = new VqaNetConfig(11, 6, 8, 2, 7, 9, 5, 0.5, cell);
        VqaNet net = new VqaNet(cfg, 1);
        SplittableRandom rng = new SplittableRandom(2);
        int[][] q = questions(rng, 20, cfg.questionVocab(), 1, 7);
        INDArray img = uniform(rng, DataType.FLOAT, q.length, cfg.featureDim(), 0, 1);
        INDArray probs = net.predict(img, q); // batch 20: training path
        for (int b = 0; b < 3; b++) {
            INDArray single = net.predict(img.getRow(b).reshape(1, cfg.featureDim()).dup(), new int[][] {q[b]});
            assertEquals(0.0, single.getRow(0).sub(probs.getRow(b)).amaxNumber().doubleValue(), 1e-5, cell + " row " + b);
        }
    }

    /**
     * Truncated BPTT: chunks at least as long as the longest question are full BPTT; shorter ones keep the
     * loss and the answer layers' gradients (the forward pass is the same), cut the recurrent gradients, and
     * bound the layers' caches by the chunk.
     */
    @ParameterizedTest
    @EnumSource(CellKind.class)
    void tbpttKeepsTheForwardAndTruncatesTheRecurrentGradient(CellKind cell) {
        VqaNetConfig cfg = new VqaNetConfig(7, 4, 5, 2, 6, 5, 4, 0.0, cell);
        SplittableRandom rng = new SplittableRandom(5);
        int[][] q = {{1, 2, 3}, {4, 5, 6, 1, 2, 3, 4, 5}, {0}, {3, 3, 6, 2, 0, 1, 1}, {6, 1}};
        INDArray img = uniform(rng, DataType.DOUBLE, q.length, cfg.featureDim(), 0, 2);
        INDArray targets = distributions(rng, DataType.DOUBLE, q.length, cfg.answers());
        VqaNet full = new VqaNet(cfg, 3, DataType.DOUBLE);
        double fullLoss = full.trainStep(img, q, targets, false, 0);
        INDArray fullGrad = full.params().flatGrad().dup();
        VqaNet same = new VqaNet(cfg, 3, DataType.DOUBLE);
        assertEquals(fullLoss, same.trainStep(img, q, targets, false, 8), 0);
        assertEquals(0, same.params().flatGrad().sub(fullGrad).amaxNumber().doubleValue(), 0);
        for (int k : new int[] {1, 3}) {
            VqaNet net = new VqaNet(cfg, 3, DataType.DOUBLE);
            net.recordGradNorms(true);
            assertEquals(fullLoss, net.trainStep(img, q, targets, false, k), 1e-12, "k=" + k);
            for (String name : new String[] {"q.w", "img.w", "out.w", "out.b"}) {
                assertEquals(0, net.params().grad(name).sub(full.params().grad(name)).amaxNumber().doubleValue(), 1e-12, name);
            }
            String wh = cell.layerName(0) + ".wh";
            assertTrue(net.params().grad(wh).sub(full.params().grad(wh)).amaxNumber().doubleValue() > 1e-8, "k=" + k);
            assertTrue(net.trainingCapacityRows() <= k * q.length, "k=" + k + ": " + net.trainingCapacityRows());
            assertEquals(8, net.lastStepGradNorms().length);
        }
    }

    @Test
    void predictIsInQuestionOrderAndIndependentOfBatchComposition() {
        VqaNetConfig cfg = new VqaNetConfig(11, 6, 8, 2, 7, 9, 5, 0.5);
        VqaNet net = new VqaNet(cfg, 1);
        SplittableRandom rng = new SplittableRandom(2);
        int[][] q = questions(rng, 6, cfg.questionVocab(), 1, 7);
        INDArray img = uniform(rng, DataType.FLOAT, q.length, cfg.featureDim(), 0, 1);
        INDArray probs = net.predict(img, q);
        assertEquals(q.length, probs.size(0));
        for (int b = 0; b < q.length; b++) {
            assertEquals(1.0, probs.getRow(b).sumNumber().doubleValue(), 1e-5);
            INDArray single = net.predict(img.getRow(b).reshape(1, cfg.featureDim()).dup(), new int[][] {q[b]});
            assertEquals(0.0, single.getRow(0).sub(probs.getRow(b)).amaxNumber().doubleValue(), 1e-5, "row " + b);
        }
        INDArray scaled = net.predict(img.mul(3), q); // image features are L2-normalised
        assertEquals(0.0, scaled.sub(probs).amaxNumber().doubleValue(), 1e-5);
        assertThrows(IllegalArgumentException.class, () -> net.predict(img, new int[][] {{1}}));
        assertThrows(IllegalArgumentException.class, () -> net.predict(img.getRow(0).reshape(1, 7), new int[][] {{}}));
        assertThrows(IllegalArgumentException.class, () -> net.predict(img.getRow(0).reshape(1, 7), new int[][] {{11}}));
    }

    @Test
    void overfitsSixteenQuestions() {
        VqaNetConfig cfg = new VqaNetConfig(20, 8, 16, 2, 12, 16, 5, 0.0);
        VqaNet net = new VqaNet(cfg, 4);
        SplittableRandom rng = new SplittableRandom(8);
        int[][] q = questions(rng, 16, cfg.questionVocab(), 2, 8);
        INDArray img = uniform(rng, DataType.FLOAT, 16, cfg.featureDim(), 0, 1);
        INDArray targets = Nd4j.zeros(DataType.FLOAT, 16, cfg.answers());
        for (int b = 0; b < 16; b++) {
            targets.putScalar(b, rng.nextInt(cfg.answers()), 1f);
        }
        Adam adam = new Adam(net.params(), 1e-2);
        double first = 0;
        double lastLoss = 0;
        for (int step = 0; step < 60; step++) {
            net.params().zeroGrad();
            lastLoss = net.trainStep(img, q, targets, true);
            if (step == 0) {
                first = lastLoss;
            }
            net.params().clipGradNorm(5.0);
            adam.step();
        }
        double end = net.loss(img, q, targets);
        System.out.printf("VqaNet overfit: loss %.4f -> %.4f%n", first, end);
        assertTrue(end < 0.2 * first, "loss " + first + " -> " + end);
    }
}

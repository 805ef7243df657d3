package dev.glimpse.vqa.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.nn.Adam;
import dev.glimpse.common.nn.GradientCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The question-guided glimpses over the image grid: gradients, shared grids, and that they bind what the mean cannot. */
class VqaGlimpsesTest {
    // 7 words, embed 4, hidden 5, 2 layers, pooled 6, fused 5, 4 answers; 2 glimpses over a 2x3 grid of 4 channels, width 3
    private static final VqaNetConfig CFG = new VqaNetConfig(7, 4, 5, 2, 6, 5, 4, 0.0).withGlimpses(2, 2, 3, 4, 3);
    private static final int[][] QUESTIONS = {{1, 2, 3}, {4, 5, 6, 1, 2}, {0}, {3, 3, 6, 2, 0}, {6, 1}};
    private static final int[] IMAGE_OF = {0, 1, 0, 2, 1}; // three images, two of them asked about twice

    @BeforeAll
    static void init() {
        Backend.init();
    }

    private static INDArray uniform(SplittableRandom rng, long... shape) {
        double[] v = new double[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = -1 + 3 * rng.nextDouble();
        }
        return Nd4j.createFromArray(v).reshape(shape);
    }

    private static INDArray targets(SplittableRandom rng, int rows, int answers) {
        INDArray t = uniform(rng, rows, answers).addi(1.01);
        return t.diviColumnVector(t.sum(true, 1));
    }

    private static VqaNet net(long seed) {
        VqaNet net = new VqaNet(CFG, seed, DataType.DOUBLE);
        net.params().get("emb.e").muli(8); // embeddings large enough to drive the LSTM gates
        return net;
    }

    @Test
    void parameterGradientsMatchFiniteDifferences() {
        VqaNet net = net(3);
        SplittableRandom rng = new SplittableRandom(5);
        INDArray img = uniform(rng, QUESTIONS.length, CFG.featureDim());
        VqaNet.Grids grids = new VqaNet.Grids(uniform(rng, 3, 6, CFG.gridDim()), IMAGE_OF);
        INDArray targets = targets(rng, QUESTIONS.length, CFG.answers());
        var result = GradientCheck.check(net.params(),
                () -> net.trainStep(img, grids, QUESTIONS, targets, false, 0),
                () -> net.loss(img, grids, QUESTIONS, targets), 8, 1e-5, 1e-6, 9);
        System.out.println("VqaNet glimpses gradient check: " + result);
        assertTrue(result.max() < 1e-4, result.toString());
        assertTrue(result.maxRelErrorByParam().containsKey("att1.wk") && result.maxRelErrorByParam().containsKey("ctx.w"));
    }

    /** d(loss)/d(grid) for a fine-tuned encoder, per distinct image (a grid asked about twice gets both questions' share). */
    @Test
    void gridGradientsMatchFiniteDifferences() {
        VqaNet net = net(4);
        SplittableRandom rng = new SplittableRandom(6);
        INDArray img = uniform(rng, QUESTIONS.length, CFG.featureDim());
        INDArray g = uniform(rng, 3, 6, CFG.gridDim());
        VqaNet.Grids grids = new VqaNet.Grids(g, IMAGE_OF);
        INDArray targets = targets(rng, QUESTIONS.length, CFG.answers());
        VqaNet.FeatureStep step = net.trainStepWithFeatureGradients(img, grids, QUESTIONS, targets, false);
        assertEquals(net.loss(img, grids, QUESTIONS, targets), step.loss(), 1e-12);
        assertEquals(java.util.List.of(3L, 6L, (long) CFG.gridDim()), java.util.Arrays.stream(step.dGrids().shape()).boxed().toList());
        double worst = 0;
        INDArray flat = g.reshape(g.length());
        INDArray dFlat = step.dGrids().reshape(g.length());
        for (long i = 0; i < g.length(); i++) {
            double orig = flat.getDouble(i);
            flat.putScalar(i, orig + 1e-5);
            double plus = net.loss(img, grids, QUESTIONS, targets);
            flat.putScalar(i, orig - 1e-5);
            double minus = net.loss(img, grids, QUESTIONS, targets);
            flat.putScalar(i, orig);
            double numeric = (plus - minus) / 2e-5;
            double a = dFlat.getDouble(i);
            worst = Math.max(worst, Math.abs(a - numeric) / Math.max(1e-6, Math.max(Math.abs(a), Math.abs(numeric))));
        }
        System.out.println("VqaNet grid gradient check: max rel error " + worst);
        assertTrue(worst < 1e-4, "max relative error " + worst);
    }

    /** Grids shared by questions about one image give what one copy per question gives: answers and gradients. */
    @Test
    void sharedGridsEqualOneGridPerQuestion() {
        SplittableRandom rng = new SplittableRandom(7);
        INDArray img = uniform(rng, QUESTIONS.length, CFG.featureDim());
        INDArray g = uniform(rng, 3, 6, CFG.gridDim());
        INDArray perQuestion = Nd4j.pullRows(g.reshape(3, 6L * CFG.gridDim()), 1, IMAGE_OF).reshape(QUESTIONS.length, 6, CFG.gridDim());
        INDArray targets = targets(rng, QUESTIONS.length, CFG.answers());
        VqaNet shared = net(8);
        VqaNet copied = net(8);
        INDArray p1 = shared.predict(img, new VqaNet.Grids(g, IMAGE_OF), QUESTIONS);
        INDArray p2 = copied.predict(img, VqaNet.Grids.perQuestion(perQuestion), QUESTIONS);
        assertEquals(0.0, p1.sub(p2).amaxNumber().doubleValue(), 1e-12);
        shared.trainStep(img, new VqaNet.Grids(g, IMAGE_OF), QUESTIONS, targets, false, 0);
        copied.trainStep(img, VqaNet.Grids.perQuestion(perQuestion), QUESTIONS, targets, false, 0);
        assertEquals(0.0, shared.params().flatGrad().sub(copied.params().flatGrad()).amaxNumber().doubleValue(), 1e-12);
        // the question at row 1 reads image 1: changing image 2 leaves its answer alone, changing image 1 does not
        INDArray other = g.dup();
        other.get(org.nd4j.linalg.indexing.NDArrayIndex.point(2)).addi(5);
        INDArray p3 = shared.predict(img, new VqaNet.Grids(other, IMAGE_OF), QUESTIONS);
        assertEquals(0.0, p3.getRow(1).sub(p1.getRow(1)).amaxNumber().doubleValue(), 1e-12);
        assertTrue(p3.getRow(3).sub(p1.getRow(3)).amaxNumber().doubleValue() > 1e-6);
        assertThrows(IllegalArgumentException.class, () -> shared.predict(img, QUESTIONS));
        assertThrows(IllegalArgumentException.class, () -> new VqaNet.Grids(g, new int[] {0, 3, 0, 1, 1}));
    }

    /**
     * Which of two cells holds the asked-about thing, when the pooled vector is the same for every image: the
     * baseline cannot do better than chance, the glimpses (cell contents plus positions) learn it.
     */
    @Test
    void glimpsesAnswerWhatTheGridMeanHides() {
        VqaNetConfig base = new VqaNetConfig(4, 8, 16, 1, 4, 16, 2, 0.0);
        VqaNetConfig attending = base.withGlimpses(1, 1, 2, 4, 8);
        SplittableRandom rng = new SplittableRandom(11);
        int n = 64;
        // two cells hold one-hot "things" a and b (a != b); the question asks "is thing t on the left?"
        INDArray grid = Nd4j.zeros(DataType.FLOAT, n, 2, 4);
        INDArray pooled = Nd4j.zeros(DataType.FLOAT, n, 4);
        int[][] q = new int[n][];
        INDArray targets = Nd4j.zeros(DataType.FLOAT, n, 2);
        for (int i = 0; i < n; i++) {
            int a = rng.nextInt(4);
            int b = (a + 1 + rng.nextInt(3)) % 4;
            grid.putScalar(new long[] {i, 0, a}, 1);
            grid.putScalar(new long[] {i, 1, b}, 1);
            pooled.putScalar(new long[] {i, a}, 0.5);
            pooled.putScalar(new long[] {i, b}, 0.5);
            boolean left = rng.nextBoolean();
            q[i] = new int[] {left ? a : b};
            targets.putScalar(new long[] {i, left ? 1 : 0}, 1);
        }
        assertTrue(accuracy(base, null, pooled, q, targets) < 0.75);
        assertTrue(accuracy(attending, VqaNet.Grids.perQuestion(grid), pooled, q, targets) > 0.95);
    }

    private static double accuracy(VqaNetConfig cfg, VqaNet.Grids grids, INDArray pooled, int[][] q, INDArray targets) {
        VqaNet net = new VqaNet(cfg, 1);
        Adam adam = new Adam(net.params(), 1e-2);
        for (int step = 0; step < 300; step++) {
            net.params().zeroGrad();
            net.trainStep(pooled, grids, q, targets, false, 0);
            adam.step();
        }
        INDArray p = net.predict(pooled, grids, q);
        int right = 0;
        for (int i = 0; i < q.length; i++) {
            right += (p.getDouble(i, 1) > p.getDouble(i, 0)) == (targets.getDouble(i, 1) > 0.5) ? 1 : 0;
        }
        return right / (double) q.length;
    }
}

package dev.glimpse.common.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DotProductAttentionTest {
    private static final int B = 3;
    private static final int R = 4;
    private static final int C = 5;
    private static final int HQ = 6;
    private static final int D = 7;
    private static final int T = 3;

    @BeforeAll
    static void init() {
        Backend.init();
    }

    private record Fixture(INDArray wk, INDArray wv, INDArray wq, INDArray gk, INDArray gv, INDArray gq,
                           DotProductAttention attention, INDArray grid, INDArray queries, INDArray probe) {}

    private static Fixture fixture(long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray wk = Nd4j.randn(DataType.DOUBLE, C, D).muli(0.5);
        INDArray wv = Nd4j.randn(DataType.DOUBLE, C, D).muli(0.5);
        INDArray wq = Nd4j.randn(DataType.DOUBLE, HQ, D).muli(0.5);
        INDArray gk = Nd4j.zeros(DataType.DOUBLE, C, D);
        INDArray gv = Nd4j.zeros(DataType.DOUBLE, C, D);
        INDArray gq = Nd4j.zeros(DataType.DOUBLE, HQ, D);
        return new Fixture(wk, wv, wq, gk, gv, gq, new DotProductAttention(wk, wv, wq, gk, gv, gq),
                Nd4j.randn(DataType.DOUBLE, B, R, C), Nd4j.randn(DataType.DOUBLE, B, T, HQ),
                Nd4j.randn(DataType.DOUBLE, B, T, D));
    }

    /** Scalar loss sum(ctx * probe): its gradient for ctx is the probe. */
    private static double loss(Fixture f) {
        DotProductAttention.Pass pass = f.attention.forward(f.attention.memory(f.grid), f.queries);
        return pass.context().mul(f.probe).sumNumber().doubleValue();
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Fixture f = fixture(7);
        DotProductAttention.Pass pass = f.attention.forward(f.attention.memory(f.grid), f.queries);
        INDArray dQueries = f.attention.backward(pass, f.probe);
        double worst = 0;
        worst = Math.max(worst, check(f, f.wk, f.gk));
        worst = Math.max(worst, check(f, f.wv, f.gv));
        worst = Math.max(worst, check(f, f.wq, f.gq));
        worst = Math.max(worst, check(f, f.queries, dQueries));
        assertTrue(worst < 1e-5, "max relative error " + worst);
        System.out.println("DotProductAttention gradient check: max relative error " + worst);
    }

    private static double check(Fixture f, INDArray param, INDArray analytic) {
        double eps = 1e-6;
        double worst = 0;
        INDArray flat = param.reshape(param.length());
        INDArray grad = analytic.dup('c').reshape(param.length());
        for (long i = 0; i < flat.length(); i++) {
            double orig = flat.getDouble(i);
            flat.putScalar(i, orig + eps);
            double plus = loss(f);
            flat.putScalar(i, orig - eps);
            double minus = loss(f);
            flat.putScalar(i, orig);
            double numeric = (plus - minus) / (2 * eps);
            double a = grad.getDouble(i);
            double denom = Math.max(1e-8, Math.abs(numeric) + Math.abs(a));
            worst = Math.max(worst, Math.abs(numeric - a) / denom);
        }
        return worst;
    }

    @Test
    void weightsAreADistributionOverRegions() {
        Fixture f = fixture(3);
        DotProductAttention.Pass pass = f.attention.forward(f.attention.memory(f.grid), f.queries);
        INDArray sums = pass.weights().sum(2); // [B, T]
        assertEquals(0, sums.sub(1.0).amaxNumber().doubleValue(), 1e-12);
        assertTrue(pass.weights().minNumber().doubleValue() > 0);
    }

    @Test
    void stepMatchesBatchedForwardForBatchesOfOneAndMany() {
        Fixture f = fixture(11);
        DotProductAttention.Memory memory = f.attention.memory(f.grid);
        DotProductAttention.Pass pass = f.attention.forward(memory, f.queries);
        DotProductAttention.StepBuffers many = f.attention.stepBuffers(B, R);
        for (int t = 0; t < T; t++) {
            INDArray h = f.queries.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(t),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).dup('c'); // [B, Hq]
            f.attention.step(memory, h, many);
            INDArray expectedW = pass.weights().get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all());
            INDArray expectedC = pass.context().get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                    org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all());
            assertEquals(0, many.weights().sub(expectedW).amaxNumber().doubleValue(), 1e-12);
            assertEquals(0, many.context().sub(expectedC).amaxNumber().doubleValue(), 1e-12);

            // Image 2 alone, through the batch-1 path of a selected memory.
            DotProductAttention.Memory one = memory.select(new int[] {2});
            DotProductAttention.StepBuffers single = f.attention.stepBuffers(1, R);
            f.attention.step(one, h.getRow(2).reshape(1, HQ), single);
            assertEquals(0, single.weights().sub(expectedW.getRow(2).reshape(1, R)).amaxNumber().doubleValue(), 1e-12);
            assertEquals(0, single.context().sub(expectedC.getRow(2).reshape(1, D)).amaxNumber().doubleValue(), 1e-12);
        }
    }
}

package dev.glimpse.common.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SoftmaxCrossEntropyTest {
    @BeforeAll
    static void init() {
        Backend.init();
    }

    @Test
    void lossWithIdsMatchesDirectFormulaAndIgnoresMinusOne() {
        INDArray z = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {0, 0, 0}, {5, -1, 2}});
        int[] y = {2, -1, 1};
        double expected = -Math.log(Math.exp(3) / (Math.exp(1) + Math.exp(2) + Math.exp(3)))
                - Math.log(Math.exp(-1) / (Math.exp(5) + Math.exp(-1) + Math.exp(2)));
        INDArray g = z.dup();
        assertEquals(expected, SoftmaxCrossEntropy.forwardBackward(g, y, 0.5), 1e-12);
        assertEquals(0.0, g.getRow(1).amaxNumber().doubleValue(), 0);
        assertEquals(0.0, g.getRow(0).sumNumber().doubleValue(), 1e-12); // p - onehot sums to 0
        INDArray p = z.dup();
        SoftmaxCrossEntropy.loss(p, y);
        assertEquals(1.0, p.getRow(1).sumNumber().doubleValue(), 1e-12);
        assertEquals(p.getDouble(0, 2) - 1, g.getDouble(0, 2) * 2, 1e-12);
    }

    @Test
    void gradientsMatchFiniteDifferencesForIdsAndDistributions() {
        Params p = Params.builder().add("z", 5, 7, Init.uniform(3)).dataType(DataType.DOUBLE).build(1);
        int[] ids = {3, -1, 0, 6, 6};
        var r1 = GradientCheck.check(p, () -> {
            INDArray z = p.get("z").dup();
            double loss = SoftmaxCrossEntropy.forwardBackward(z, ids, 0.25);
            p.grad("z").addi(z);
            return 0.25 * loss;
        }, () -> 0.25 * SoftmaxCrossEntropy.loss(p.get("z").dup(), ids), 100, 1e-5, 1e-7, 2);
        assertTrue(r1.max() < 1e-6, r1.toString());

        INDArray q = Arrays2.uniform(DataType.DOUBLE, 3, 1, 5, 7);
        q = Nd4j.math().abs(q);
        q.getRow(2).assign(0);
        q.putScalar(2, 4, 1.0);       // one-hot row
        q.divi(q.sum(true, 1));       // rows sum to 1
        q.getRow(4).muli(0.5);        // a row summing to 0.5 (gradient p * sum(q) - q)
        INDArray target = q;
        var r2 = GradientCheck.check(p, () -> {
            INDArray z = p.get("z").dup();
            double loss = SoftmaxCrossEntropy.forwardBackward(z, target, 1.0);
            p.grad("z").addi(z);
            return loss;
        }, () -> SoftmaxCrossEntropy.loss(p.get("z").dup(), target), 100, 1e-5, 1e-7, 2);
        assertTrue(r2.max() < 1e-6, r2.toString());
    }

    @Test
    void floatLogitsWithFloatTargetsWork() {
        INDArray z = Arrays2.uniform(DataType.FLOAT, 1, 5, 4, 10);
        INDArray q = Nd4j.zeros(DataType.FLOAT, 4, 10);
        for (int n = 0; n < 4; n++) {
            q.putScalar(n, n, 1f);
        }
        INDArray z2 = z.dup();
        double a = SoftmaxCrossEntropy.forwardBackward(z, q, 1.0);
        double b = SoftmaxCrossEntropy.forwardBackward(z2, new int[] {0, 1, 2, 3}, 1.0);
        assertEquals(b, a, 1e-5);
        assertEquals(0.0, z.sub(z2).amaxNumber().doubleValue(), 1e-6);
    }
}

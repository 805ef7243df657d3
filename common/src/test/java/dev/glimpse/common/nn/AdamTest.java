package dev.glimpse.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class AdamTest {
    @BeforeAll
    static void init() {
        Backend.init();
    }

    private static Params params() {
        return Params.builder().add("w", 2, 3, Init.uniform(1)).add("b", 1, 3, Init.uniform(1)).dataType(DataType.DOUBLE).build(11);
    }

    private static void setGrad(Params p, long seed) {
        p.flatGrad().assign(Arrays2.uniform(DataType.DOUBLE, seed, 1, 1, (int) p.size()));
    }

    @Test
    void twoStepsFollowTheFormula() {
        Params p = params();
        double lr = 0.01;
        Adam adam = new Adam(p, lr);
        int n = (int) p.size();
        double[] w = p.flat().dup().data().asDouble();
        double[] m = new double[n];
        double[] v = new double[n];
        for (int t = 1; t <= 2; t++) {
            setGrad(p, 100 + t);
            double[] g = p.flatGrad().dup().data().asDouble();
            adam.step();
            for (int i = 0; i < n; i++) {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double alpha = lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
                w[i] -= alpha * m[i] / (Math.sqrt(v[i]) + 1e-8);
            }
            assertArrayEquals(w, p.flat().dup().data().asDouble(), 1e-12, "step " + t);
        }
        assertEquals(2, adam.iteration());
    }

    @Test
    void restoredStateContinuesIdentically() {
        Params a = params();
        Adam adamA = new Adam(a, 0.05);
        for (int t = 0; t < 3; t++) {
            setGrad(a, t);
            adamA.step();
        }
        Params b = params();
        b.copyFrom(a.toFloatArray());
        a.copyFrom(a.toFloatArray()); // same float-rounded start for both
        Adam adamB = new Adam(b, 0.05);
        adamB.restore(adamA.state());
        assertEquals(3, adamB.iteration());
        setGrad(a, 7);
        setGrad(b, 7);
        adamA.learningRate(0.02).step();
        adamB.learningRate(0.02).step();
        INDArray diff = a.flat().sub(b.flat());
        assertEquals(0.0, diff.amaxNumber().doubleValue(), 1e-6);
    }

    @Test
    void learningRateChangesTheStepSize() {
        Params a = params();
        Params b = params();
        Adam adamA = new Adam(a, 0.1);
        Adam adamB = new Adam(b, 0.1).learningRate(0.2);
        INDArray start = a.flat().dup();
        setGrad(a, 1);
        setGrad(b, 1);
        adamA.step();
        adamB.step();
        INDArray stepA = start.sub(a.flat());
        INDArray stepB = start.sub(b.flat());
        assertEquals(0.0, stepB.sub(stepA.mul(2)).amaxNumber().doubleValue(), 1e-9);
    }
}

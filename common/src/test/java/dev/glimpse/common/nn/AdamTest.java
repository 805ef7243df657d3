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

    /**
     * The fused float pass follows the same formula over a buffer of several blocks with a ragged end, split
     * between the cores, at an offset inside its allocation (as views are), and leaves the gradient as it was.
     */
    @Test
    void fusedFloatStepsFollowTheFormulaAcrossBlocks() {
        int n = 3 * Adam.BLOCK + 123;
        Params p = Params.builder().add("pad", 1, 7, Init.uniform(1)).add("w", 1, n, Init.uniform(1))
                .dataType(DataType.FLOAT).build(21);
        double lr = 0.003;
        Adam adam = new Adam(p, lr);
        int total = (int) p.size();
        double[] w = toDouble(p.flat().dup().data().asFloat());
        double[] m = new double[total];
        double[] v = new double[total];
        for (int t = 1; t <= 3; t++) {
            p.flatGrad().assign(Arrays2.uniform(DataType.FLOAT, 200 + t, 1, 1, total));
            float[] g = p.flatGrad().dup().data().asFloat();
            adam.step();
            assertArrayEquals(g, p.flatGrad().dup().data().asFloat(), "gradient untouched, step " + t);
            double alpha = lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
            for (int i = 0; i < total; i++) {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                w[i] -= alpha * m[i] / (Math.sqrt(v[i]) + 1e-8);
            }
            float[] got = p.flat().dup().data().asFloat();
            for (int i = 0; i < total; i++) {
                assertEquals(w[i], got[i], 1e-6 * (1 + Math.abs(w[i])), "step " + t + ", parameter " + i);
            }
        }
        float[] moments = adam.state().moments();
        assertEquals(2 * total, moments.length);
        // (1 - b2) in float is 0.00099998713 (0.999f is not exact), as in ND4J's op: relative 1.3e-5
        assertEquals(v[total - 1], moments[2 * total - 1], 1e-4 * v[total - 1], "second moments after the first");
        assertEquals(m[5], moments[5], 1e-5 * Math.abs(m[5]) + 1e-9);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Test
    void floatRestoredStateContinuesIdentically() {
        Params a = Params.builder().add("w", 3, 50, Init.uniform(1)).dataType(DataType.FLOAT).build(31);
        Params b = Params.builder().add("w", 3, 50, Init.uniform(1)).dataType(DataType.FLOAT).build(31);
        Adam adamA = new Adam(a, 0.05);
        for (int t = 0; t < 3; t++) {
            a.flatGrad().assign(Arrays2.uniform(DataType.FLOAT, t, 1, 1, (int) a.size()));
            adamA.step();
        }
        b.copyFrom(a.toFloatArray());
        Adam adamB = new Adam(b, 0.05);
        adamB.restore(adamA.state());
        a.flatGrad().assign(Arrays2.uniform(DataType.FLOAT, 7, 1, 1, (int) a.size()));
        b.flatGrad().assign(a.flatGrad());
        adamA.step();
        adamB.step();
        assertEquals(0.0, a.flat().sub(b.flat()).amaxNumber().doubleValue(), 0.0);
        assertEquals(4, adamB.iteration());
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

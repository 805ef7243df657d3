package dev.glimpse.common.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Bf16RowProductTest {
    @BeforeAll
    static void init() {
        Backend.init();
    }

    /** The Java conversion rounds as ND4J's cast does (nearest, ties to even), so both halves agree. */
    @Test
    void javaConversionMatchesNd4jCast() {
        SplittableRandom rng = new SplittableRandom(3);
        float[] v = new float[4096];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(-6, 6)));
        }
        v[0] = 1f + 1f / 256;          // a tie: rounds to even (1.0)
        v[1] = 1f + 3f / 256;          // a tie: rounds to even (1 + 4/256)
        v[2] = -0f;
        v[3] = 3.0e38f;                // rounds past float's largest bfloat16: infinity, as the hardware does
        float[] viaNd4j = Nd4j.createFromArray(v).castTo(DataType.BFLOAT16).castTo(DataType.FLOAT).toFloatVector();
        for (int i = 0; i < v.length; i++) {
            assertEquals(viaNd4j[i], Bf16RowProduct.fromBf16(Bf16RowProduct.toBf16(v[i])), "value " + v[i]);
        }
        assertEquals(1f, Bf16RowProduct.fromBf16(Bf16RowProduct.toBf16(v[0])));
        assertEquals(1f + 4f / 256, Bf16RowProduct.fromBf16(Bf16RowProduct.toBf16(v[1])));
        assertTrue(Float.isNaN(Bf16RowProduct.fromBf16(Bf16RowProduct.toBf16(Float.NaN))));
    }

    /**
     * Both entry points agree with the float product to within bfloat16's rounding of x, W and y: each term
     * is off by at most ~2^-8 of |x_i W_ij| and the result by 2^-9 of |y_j| (bound taken 1.5x).
     */
    @Test
    void productIsTheFloatProductUpToBf16Rounding() {
        int k = 97;
        int n = 301;
        INDArray w = Arrays2.uniform(DataType.FLOAT, 5, 0.2, k, n);
        INDArray xRow = Arrays2.uniform(DataType.FLOAT, 6, 2.0, 1, k);
        float[] x = xRow.toFloatVector();
        Bf16RowProduct p = new Bf16RowProduct(k, n);
        p.load(0, Views.rows(w, 0, 40));
        p.load(40, Views.rows(w, 40, k));
        float[] y = new float[n];
        p.multiply(x, y);
        p.input().assign(xRow);
        INDArray y2 = Nd4j.create(DataType.FLOAT, 1, n);
        p.multiplyInput(y2);
        float[] wv = w.reshape(1, (long) k * n).toFloatVector();
        double worst = 0;
        for (int j = 0; j < n; j++) {
            double exact = 0;
            double magnitude = 0;
            for (int i = 0; i < k; i++) {
                exact += (double) x[i] * wv[i * n + j];
                magnitude += Math.abs((double) x[i] * wv[i * n + j]);
            }
            double bound = 1.5 * (Math.scalb(magnitude, -7) + Math.scalb(Math.abs(exact), -8)) + 1e-6;
            assertEquals(exact, y[j], bound, "column " + j);
            assertEquals(y[j], y2.getFloat(0, j), 0f, "the two entry points, column " + j);
            worst = Math.max(worst, Math.abs(exact - y[j]));
        }
        assertNotEquals(0.0, worst, "bfloat16 rounding shows (the product is not the float one)");
    }

    /**
     * Columns that nearly tie (copies of one column with perturbations far below bfloat16's resolution): the
     * bfloat16 product alone often picks the wrong one; after exactMaximum the argmax and the largest value are
     * the float product's, every time.
     */
    @Test
    void exactMaximumRecoversTheFloatArgmaxOfNearTies() {
        int k = 64;
        int n = 40;
        SplittableRandom rng = new SplittableRandom(9);
        float[] wv = new float[k * n];
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < n; j++) {
                wv[i * n + j] = (float) rng.nextGaussian();
            }
        }
        for (int j = 1; j < 8; j++) { // columns 1..7: column 0 plus a tiny perturbation
            for (int i = 0; i < k; i++) {
                wv[i * n + j] = wv[i * n] + (float) (rng.nextGaussian() * 1e-4);
            }
        }
        INDArray w = Nd4j.createFromArray(wv).reshape(k, n);
        Bf16RowProduct p = new Bf16RowProduct(k, n, true);
        p.load(0, w);
        int wrongBefore = 0;
        for (int trial = 0; trial < 200; trial++) {
            float[] x = new float[k];
            for (int i = 0; i < k; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            double[] exact = new double[n];
            int argmax = 0;
            for (int j = 0; j < n; j++) {
                for (int i = 0; i < k; i++) {
                    exact[j] += (double) x[i] * wv[i * n + j];
                }
                argmax = exact[j] > exact[argmax] ? j : argmax;
            }
            float[] y = new float[n];
            p.multiply(x, y);
            int approx = 0;
            for (int j = 1; j < n; j++) {
                approx = y[j] > y[approx] ? j : approx;
            }
            wrongBefore += approx != argmax ? 1 : 0;
            int best = p.exactMaximum(x, y);
            assertEquals(argmax, best, "trial " + trial);
            assertEquals(exact[argmax], y[best], 1e-5 * Math.abs(exact[argmax]) + 1e-6, "trial " + trial);
            for (int j = 0; j < n; j++) {
                assertTrue(y[j] <= y[best], "trial " + trial + ": entry " + j + " above the maximum");
            }
        }
        assertTrue(wrongBefore >= 5, "near ties fool the bfloat16 product alone (" + wrongBefore + " of 200)");
    }

    @Test
    void exactMaximumFollowsReloadedWeights() {
        Bf16RowProduct p = new Bf16RowProduct(2, 3, true);
        p.load(0, Nd4j.createFromArray(new float[][] {{1, 0, 0}, {0, 0, 0}}));
        float[] x = {1, 1};
        float[] y = new float[3];
        p.multiply(x, y);
        assertEquals(0, p.exactMaximum(x, y));
        p.load(1, Nd4j.createFromArray(new float[][] {{0, 0, 2}}));
        p.multiply(x, y);
        assertEquals(2, p.exactMaximum(x, y));
        assertEquals(2f, y[2]);
        assertThrows(IllegalStateException.class, () -> new Bf16RowProduct(2, 3).exactMaximum(x, y));
    }

    @Test
    void rejectsMismatchedShapes() {
        Bf16RowProduct p = new Bf16RowProduct(4, 3);
        assertThrows(IllegalArgumentException.class, () -> p.multiply(new float[5], new float[3]));
        assertThrows(IllegalArgumentException.class, () -> p.load(2, Nd4j.zeros(DataType.FLOAT, 3, 3)));
        assertThrows(IllegalArgumentException.class, () -> p.load(0, Nd4j.zeros(DataType.FLOAT, 2, 4)));
    }
}

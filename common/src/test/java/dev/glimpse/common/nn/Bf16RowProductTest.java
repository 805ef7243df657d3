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

    @Test
    void rejectsMismatchedShapes() {
        Bf16RowProduct p = new Bf16RowProduct(4, 3);
        assertThrows(IllegalArgumentException.class, () -> p.multiply(new float[5], new float[3]));
        assertThrows(IllegalArgumentException.class, () -> p.load(2, Nd4j.zeros(DataType.FLOAT, 3, 3)));
        assertThrows(IllegalArgumentException.class, () -> p.load(0, Nd4j.zeros(DataType.FLOAT, 2, 4)));
    }
}

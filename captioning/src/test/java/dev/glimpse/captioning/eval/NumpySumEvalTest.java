package dev.glimpse.captioning.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NumpySumEvalTest {
    @Test
    void pairwiseSumEqualsExactSumClosely() {
        Random r = new Random(1);
        for (int n : new int[] {1, 7, 8, 9, 127, 128, 129, 1000, 5003}) {
            double[] v = new double[n];
            java.math.BigDecimal exact = java.math.BigDecimal.ZERO;
            for (int i = 0; i < n; i++) {
                v[i] = r.nextDouble() * 10;
                exact = exact.add(new java.math.BigDecimal(v[i]));
            }
            assertEquals(exact.doubleValue() / n, NumpySum.mean(v), 1e-12, "n=" + n);
        }
    }

    @Test
    void blockOrderForSixteenValues() {
        // n = 16: eight accumulators r[j] = a[j] + a[8 + j], combined ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)).
        double[] a = new double[16];
        a[0] = 1e16;
        a[8] = -1e16;
        a[1] = 1.0;
        // sequential summation would lose the 1.0 (1e16 + 1 == 1e16); numpy's blocks keep it.
        assertEquals(1.0, NumpySum.sum(a, 0, 16), 0);
    }
}

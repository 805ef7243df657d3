package dev.glimpse.common.nn;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Bulk copies between contiguous float arrays and Java arrays, and a tanh for cells computed in Java at batch 1,
 * where ~7 us per ND4J call costs more than the arithmetic (see {@link Lstm#stepFromTableRow}).
 */
public final class FloatRows {
    private FloatRows() {}

    /** tanh through the exp intrinsic (Math.tanh is not one): exact to double rounding, saturates cleanly. */
    static double tanh(double x) {
        if (x > 20) {
            return 1.0;
        }
        if (x < -20) {
            return -1.0;
        }
        if (Math.abs(x) < 1e-4) {
            return x - x * x * x / 3;                                          // avoids cancellation near 0
        }
        double e = Math.exp(2 * x);
        return (e - 1) / (e + 1);
    }

    /** out := a's values from element {@code offset} on (a contiguous, float). */
    public static void get(INDArray a, long offset, float[] out) {
        FloatBuffer b = a.data().asNioFloat();
        b.position((int) (a.offset() + offset)); // the buffer view starts at the allocation; offset() is absolute
        b.get(out);
    }

    /** a's values from element {@code offset} on := in (a contiguous, float). */
    public static void put(INDArray a, long offset, float[] in) {
        FloatBuffer b = a.data().asNioFloat();
        b.position((int) (a.offset() + offset));
        b.put(in);
    }
}

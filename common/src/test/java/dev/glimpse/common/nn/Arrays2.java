package dev.glimpse.common.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Seeded random test arrays. */
final class Arrays2 {
    private Arrays2() {}

    static INDArray uniform(DataType type, long seed, double a, int rows, int cols) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (2 * rng.nextDouble() - 1) * a;
        }
        return Nd4j.createFromArray(v).reshape(rows, cols).castTo(type);
    }

    /** sum(x * r): a scalar loss whose gradient w.r.t. x is r. */
    static double dot(INDArray x, INDArray r) {
        return x.mul(r).sumNumber().doubleValue();
    }
}

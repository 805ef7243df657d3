package dev.glimpse.common.nn;

import java.util.SplittableRandom;

/** How a parameter matrix is filled when a {@link Params} is built. Values are drawn in double, then stored in the params' data type. */
@FunctionalInterface
public interface Init {
    /** Fills {@code values} (row-major, {@code rows x cols}). */
    void fill(double[] values, int rows, int cols, SplittableRandom rng);

    static Init zeros() {
        return (v, r, c, rng) -> { };
    }

    static Init constant(double value) {
        return (v, r, c, rng) -> java.util.Arrays.fill(v, value);
    }

    /** Uniform in [-a, a]. */
    static Init uniform(double a) {
        return (v, r, c, rng) -> {
            for (int i = 0; i < v.length; i++) {
                v[i] = (2 * rng.nextDouble() - 1) * a;
            }
        };
    }

    /** Glorot/Xavier uniform with fan-in = rows, fan-out = cols (weights are stored [in, out]). */
    static Init xavier() {
        return (v, r, c, rng) -> uniform(Math.sqrt(6.0 / (r + c))).fill(v, r, c, rng);
    }

    /** Row-wise constants: row {@code k} of the matrix is filled with {@code rowValues[k]} (e.g. an LSTM bias with forget row 1). */
    static Init rows(double... rowValues) {
        return (v, r, c, rng) -> {
            if (rowValues.length != r) {
                throw new IllegalArgumentException("Init.rows: " + rowValues.length + " values for " + r + " rows");
            }
            for (int i = 0; i < r; i++) {
                java.util.Arrays.fill(v, i * c, (i + 1) * c, rowValues[i]);
            }
        };
    }
}

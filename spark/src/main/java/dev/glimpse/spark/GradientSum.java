package dev.glimpse.spark;

import dev.glimpse.common.train.DataParallel;
import java.io.Serializable;

/**
 * Count-weighted slice gradients summed across tasks by {@code treeAggregate}. A single slice
 * travels as the floats its worker computed (4 bytes a parameter); sums are kept in doubles, so
 * with two slices the result does not depend on which task finished first (double addition is
 * commutative, and each float is exact in a double), and with more it differs at most in the
 * last bit of the float cast.
 */
final class GradientSum implements Serializable {
    static final GradientSum ZERO = new GradientSum(null, null, 0, 0, 0, 0);

    private final float[] single;
    private final double[] sum;
    final double lossSum;
    final long count;
    final int slices;
    /** The slowest slice's time on its worker (making the worker included). */
    final long slowestNanos;

    private GradientSum(float[] single, double[] sum, double lossSum, long count, int slices, long slowestNanos) {
        this.single = single;
        this.sum = sum;
        this.lossSum = lossSum;
        this.count = count;
        this.slices = slices;
        this.slowestNanos = slowestNanos;
    }

    static GradientSum of(DataParallel.Slice s, long nanos) {
        return new GradientSum(s.weightedGradient(), null, s.lossSum(), s.count(), 1, nanos);
    }

    GradientSum plus(GradientSum o) {
        if (slices == 0) {
            return o;
        }
        if (o.slices == 0) {
            return this;
        }
        double[] a = total();
        double[] out = new double[a.length];
        if (o.sum != null) {
            for (int i = 0; i < out.length; i++) {
                out[i] = a[i] + o.sum[i];
            }
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = a[i] + o.single[i];
            }
        }
        return new GradientSum(null, out, lossSum + o.lossSum, count + o.count, slices + o.slices,
                Math.max(slowestNanos, o.slowestNanos));
    }

    double[] total() {
        if (sum != null) {
            return sum;
        }
        double[] d = new double[single == null ? 0 : single.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = single[i];
        }
        return d;
    }
}

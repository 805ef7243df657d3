package dev.glimpse.common.features;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Running per-channel mean and standard deviation of feature rows, in double precision. Both
 * trainers standardise image features with it (random-init CNN features share a large common
 * component, so raw they look nearly alike) and save the result with their model.
 */
public final class ChannelMoments {
    private final double[] sum;
    private final double[] sumSq;
    private long n;

    public ChannelMoments(int channels) {
        sum = new double[channels];
        sumSq = new double[channels];
    }

    /** Adds the rows of {@code rows} [N, channels]. */
    public ChannelMoments add(INDArray rows) {
        float[] v = rows.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int d = sum.length;
        for (int i = 0; i < v.length; i++) {
            double x = v[i];
            sum[i % d] += x;
            sumSq[i % d] += x * x;
        }
        n += v.length / d;
        return this;
    }

    public long count() {
        return n;
    }

    public float[] mean() {
        float[] m = new float[sum.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) (sum[i] / n);
        }
        return m;
    }

    /** Standard deviations; a channel that never varies (a dead ReLU) gets 1, so it stays 0 after centring. */
    public float[] std() {
        float[] s = new float[sum.length];
        for (int i = 0; i < s.length; i++) {
            double mean = sum[i] / n;
            double var = Math.max(0, sumSq[i] / n - mean * mean);
            s[i] = var > 1e-12 ? (float) Math.sqrt(var) : 1f;
        }
        return s;
    }
}

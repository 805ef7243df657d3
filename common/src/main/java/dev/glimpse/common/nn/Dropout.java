package dev.glimpse.common.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout: in training each element is kept with probability 1-p and scaled by 1/(1-p), so
 * inference is the identity. Masks come from a seeded generator: the same seed gives the same masks.
 */
public final class Dropout {
    private final double p;
    private final SplittableRandom rng;
    private INDArray mask; // last training mask, [N, D]

    public Dropout(double p, long seed) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1): " + p);
        }
        this.p = p;
        this.rng = new SplittableRandom(seed);
    }

    public double probability() {
        return p;
    }

    /** In place: x *= mask when training (and p > 0), else unchanged. Returns x. */
    public INDArray forward(INDArray x, boolean training) {
        if (!training || p == 0) {
            mask = null;
            return x;
        }
        int n = (int) x.length();
        double keep = 1.0 - p;
        float scale = (float) (1.0 / keep);
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = rng.nextDouble() < keep ? scale : 0f;
        }
        mask = Nd4j.createFromArray(m).reshape(x.shape()).castTo(x.dataType());
        return x.muli(mask);
    }

    /** In place: dx *= the last mask (identity if the last forward did not drop). Returns dx. */
    public INDArray backward(INDArray dx) {
        return mask == null ? dx : dx.muli(mask);
    }
}

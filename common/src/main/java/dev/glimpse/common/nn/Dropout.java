package dev.glimpse.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout: in training each element is kept with probability 1-p and scaled by 1/(1-p), so
 * inference is the identity. Masks come from a seeded generator: the same seed gives the same masks.
 *
 * <p>The generator is {@link java.util.SplittableRandom}'s (same numbers for the same seed), written out
 * so its position can be saved and set again: a training run resumed from a checkpoint then draws the
 * masks the uninterrupted run would have drawn.
 */
public final class Dropout {
    private static final long GAMMA = 0x9e3779b97f4a7c15L; // SplittableRandom's golden gamma
    private final double p;
    private final long seed;
    private long position; // numbers drawn so far
    private INDArray mask; // last training mask, [N, D]

    public Dropout(double p, long seed) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout probability must be in [0, 1): " + p);
        }
        this.p = p;
        this.seed = seed;
    }

    public double probability() {
        return p;
    }

    /** How many random numbers the masks so far took. */
    public long position() {
        return position;
    }

    /** Continues the mask sequence after {@code drawn} numbers, as if the masks before had been drawn. */
    public void position(long drawn) {
        if (drawn < 0) {
            throw new IllegalArgumentException("dropout generator position must be >= 0: " + drawn);
        }
        position = drawn;
    }

    /** The next number in [0, 1): SplittableRandom(seed).nextDouble() after {@code position} draws. */
    double nextDouble() {
        long z = seed + (++position) * GAMMA;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
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
            m[i] = nextDouble() < keep ? scale : 0f;
        }
        mask = Nd4j.createFromArray(m).reshape(x.shape()).castTo(x.dataType());
        return x.muli(mask);
    }

    /** In place: dx *= the last mask (identity if the last forward did not drop). Returns dx. */
    public INDArray backward(INDArray dx) {
        return mask == null ? dx : dx.muli(mask);
    }
}

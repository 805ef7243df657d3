package dev.glimpse.common.nn;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * Adam over the whole flat buffer of a {@link Params}.
 * With t = iteration + 1: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr * sqrt(1-b2^t) / (1-b1^t) * m / (sqrt(v) + eps)   (ND4J's AdamUpdater formulation).
 *
 * <p>Float parameters (all training) take one fused pass: the moments live in Java arrays and each of the
 * machine's cores walks its share of the buffers in L2-sized blocks (gradient and parameters copied in, the
 * loop vectorised by the JIT, parameters copied back). For the VQA case's 10.4M parameters ND4J's adam_updater
 * op plus the subtraction took 30-32 ms here, this pass 8-9 ms (the same loop unvectorised: 21 ms a core).
 * Double parameters (gradient checks) keep ND4J's op. {@link #step()} leaves the gradient buffer unchanged
 * for float parameters and holds the update for double ones: zero it before the next backward either way.
 */
public final class Adam {
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPSILON = 1e-8;
    /** Floats per block of the fused pass: 3 blocks of 64 KB stay in a core's L2. */
    static final int BLOCK = 1 << 14;

    private final Params params;
    private final org.nd4j.linalg.learning.config.Adam config;
    private final INDArray state; // double params: [1, 2N] first moments then second moments; else null
    private final GradientUpdater<?> updater; // double params only
    private final float[][] m; // float params: first moments, one array per block
    private final float[][] v; // float params: second moments, likewise
    private int iteration;

    public Adam(Params params, double learningRate) {
        this.params = params;
        this.config = new org.nd4j.linalg.learning.config.Adam(learningRate, BETA1, BETA2, EPSILON);
        if (params.dataType() == DataType.FLOAT) {
            int n = Math.toIntExact(params.size());
            int blocks = (n + BLOCK - 1) / BLOCK;
            this.m = new float[blocks][];
            this.v = new float[blocks][];
            for (int b = 0; b < blocks; b++) {
                m[b] = new float[Math.min(BLOCK, n - b * BLOCK)];
                v[b] = new float[m[b].length];
            }
            this.state = null;
            this.updater = null;
        } else {
            this.m = null;
            this.v = null;
            this.state = Nd4j.zeros(params.dataType(), 1, 2 * params.size());
            this.updater = config.instantiate(state, true);
        }
    }

    /** Applies one update from the gradients in {@code params.flatGrad()}. */
    public void step() {
        if (m != null) {
            fusedStep();
        } else {
            updater.applyUpdater(params.flatGrad(), iteration, 0);
            params.flat().subi(params.flatGrad());
        }
        params.changed();
        iteration++;
    }

    private void fusedStep() {
        float b1 = (float) BETA1;
        float b2 = (float) BETA2;
        float eps = (float) EPSILON;
        int t = iteration + 1;
        float alpha = (float) (config.getLearningRate() * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t)));
        if (!Float.isFinite(alpha) || alpha == 0f) {
            alpha = eps; // as ND4J's op does
        }
        float stepSize = alpha;
        INDArray p = params.flat();
        INDArray g = params.flatGrad();
        FloatBuffer pb = p.data().asNioFloat();
        FloatBuffer gb = g.data().asNioFloat();
        int pOff = (int) p.offset();
        int gOff = (int) g.offset();
        int blocks = m.length;
        int parts = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), blocks));
        IntStream.range(0, parts).parallel().forEach(part -> {
            float[] gBlock = new float[BLOCK];
            float[] pBlock = new float[BLOCK];
            for (int blk = part * blocks / parts, end = (part + 1) * blocks / parts; blk < end; blk++) {
                int from = blk * BLOCK;
                float[] mBlock = m[blk];
                float[] vBlock = v[blk];
                int len = mBlock.length;
                gb.get(gOff + from, gBlock, 0, len);
                pb.get(pOff + from, pBlock, 0, len);
                // every array indexed alike from 0: the JIT (before JDK 21) vectorises only then
                for (int i = 0; i < len; i++) {
                    float gi = gBlock[i];
                    float mi = b1 * mBlock[i] + gi * (1 - b1);
                    float vi = b2 * vBlock[i] + gi * gi * (1 - b2);
                    mBlock[i] = mi;
                    vBlock[i] = vi;
                    pBlock[i] -= mi * stepSize / ((float) Math.sqrt(vi) + eps);
                }
                pb.put(pOff + from, pBlock, 0, len);
            }
        });
    }

    public Adam learningRate(double learningRate) {
        config.setLearningRate(learningRate);
        return this;
    }

    public double learningRate() {
        return config.getLearningRate();
    }

    public int iteration() {
        return iteration;
    }

    /** A copy of the moments ([m; v]) and the iteration count, for checkpoints. */
    public State state() {
        if (m == null) {
            return new State(iteration, state.dup().castTo(DataType.FLOAT).data().asFloat());
        }
        int n = Math.toIntExact(params.size());
        float[] moments = new float[2 * n];
        for (int b = 0; b < m.length; b++) {
            System.arraycopy(m[b], 0, moments, b * BLOCK, m[b].length);
            System.arraycopy(v[b], 0, moments, n + b * BLOCK, v[b].length);
        }
        return new State(iteration, moments);
    }

    public void restore(State saved) {
        long expected = 2 * params.size();
        if (saved.moments().length != expected) {
            throw new IllegalArgumentException("optimizer state has " + saved.moments().length + " values, expected " + expected);
        }
        if (m == null) {
            state.assign(Nd4j.createFromArray(saved.moments()).reshape(1, saved.moments().length).castTo(state.dataType()));
        } else {
            int n = Math.toIntExact(params.size());
            for (int b = 0; b < m.length; b++) {
                System.arraycopy(saved.moments(), b * BLOCK, m[b], 0, m[b].length);
                System.arraycopy(saved.moments(), n + b * BLOCK, v[b], 0, v[b].length);
            }
        }
        iteration = saved.iteration();
    }

    /** Adam moments ([m; v], 2N values) and the number of steps taken. */
    public record State(int iteration, float[] moments) {}
}

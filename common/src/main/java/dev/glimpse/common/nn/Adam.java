package dev.glimpse.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;

/**
 * Adam over the whole flat buffer of a {@link Params}: one native update per step.
 * With t = iteration + 1: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
 * p -= lr * sqrt(1-b2^t) / (1-b1^t) * m / (sqrt(v) + eps)   (ND4J's AdamUpdater formulation).
 * {@link #step()} consumes the gradient buffer (it holds the update afterwards): zero it before the next backward.
 */
public final class Adam {
    public static final double BETA1 = 0.9;
    public static final double BETA2 = 0.999;
    public static final double EPSILON = 1e-8;

    private final Params params;
    private final org.nd4j.linalg.learning.config.Adam config;
    private final INDArray state; // [1, 2N]: first moments then second moments
    private final GradientUpdater<?> updater;
    private int iteration;

    public Adam(Params params, double learningRate) {
        this.params = params;
        this.config = new org.nd4j.linalg.learning.config.Adam(learningRate, BETA1, BETA2, EPSILON);
        this.state = Nd4j.zeros(params.dataType(), 1, 2 * params.size());
        this.updater = config.instantiate(state, true);
    }

    /** Applies one update from the gradients in {@code params.flatGrad()}. */
    public void step() {
        updater.applyUpdater(params.flatGrad(), iteration, 0);
        params.flat().subi(params.flatGrad());
        params.changed();
        iteration++;
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

    /** A copy of the moments and the iteration count, for checkpoints. */
    public State state() {
        return new State(iteration, state.dup().castTo(DataType.FLOAT).data().asFloat());
    }

    public void restore(State saved) {
        if (saved.moments().length != state.length()) {
            throw new IllegalArgumentException("optimizer state has " + saved.moments().length + " values, expected " + state.length());
        }
        state.assign(Nd4j.createFromArray(saved.moments()).reshape(1, saved.moments().length).castTo(state.dataType()));
        iteration = saved.iteration();
    }

    /** Adam moments ([m; v], 2N values) and the number of steps taken. */
    public record State(int iteration, float[] moments) {}
}

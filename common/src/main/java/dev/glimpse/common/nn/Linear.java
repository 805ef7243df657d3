package dev.glimpse.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * y = x W + b over rows: W [in, out] (named {@code name.w}), optional b [1, out] ({@code name.b}).
 * Holds views into a {@link Params}; no state between calls besides a ones-vector for bias gradients.
 */
public final class Linear {
    private final INDArray w;  // [in, out]
    private final INDArray b;  // [1, out] or null
    private final INDArray gw; // [in, out]
    private final INDArray gb; // [1, out] or null
    private INDArray ones;     // [1, capacity] for column sums by GEMM

    /** Declares {@code name.w} (Xavier uniform) and, if {@code bias}, {@code name.b} (zeros). */
    public static void declare(Params.Builder builder, String name, int in, int out, boolean bias) {
        builder.add(name + ".w", in, out, Init.xavier());
        if (bias) {
            builder.add(name + ".b", 1, out, Init.zeros());
        }
    }

    public Linear(Params params, String name) {
        this.w = params.get(name + ".w");
        this.gw = params.grad(name + ".w");
        boolean hasBias = params.contains(name + ".b");
        this.b = hasBias ? params.get(name + ".b") : null;
        this.gb = hasBias ? params.grad(name + ".b") : null;
    }

    public int inputSize() {
        return (int) w.size(0);
    }

    public int outputSize() {
        return (int) w.size(1);
    }

    public INDArray weight() {
        return w;
    }

    public INDArray bias() {
        return b;
    }

    /** y = (accumulate ? y : 0) + x W + b. x [N, in], y [N, out] (preallocated, c-order). */
    public void forward(INDArray x, INDArray y, boolean accumulate) {
        Nd4j.gemm(x, w, y, false, false, 1.0, accumulate ? 1.0 : 0.0); // [N, out]
        if (b != null) {
            y.addiRowVector(b);
        }
    }

    /** Allocating convenience: x W + b. */
    public INDArray forward(INDArray x) {
        INDArray y = Nd4j.create(w.dataType(), x.size(0), w.size(1)); // [N, out]
        forward(x, y, false);
        return y;
    }

    /**
     * Accumulates dW += x^T dy and db += colsum(dy); if dx is not null writes (or with accumulateDx adds)
     * dx = dy W^T. x [N, in], dy [N, out], dx [N, in].
     */
    public void backward(INDArray x, INDArray dy, INDArray dx, boolean accumulateDx) {
        Nd4j.gemm(x, dy, gw, true, false, 1.0, 1.0); // [in, out]
        if (gb != null) {
            Nd4j.gemm(ones(dy.size(0)), dy, gb, false, false, 1.0, 1.0); // [1, out]
        }
        if (dx != null) {
            Nd4j.gemm(dy, w, dx, false, true, 1.0, accumulateDx ? 1.0 : 0.0); // [N, in]
        }
    }

    /** Allocating convenience: accumulates dW, db and returns dx = dy W^T. */
    public INDArray backward(INDArray x, INDArray dy) {
        INDArray dx = Nd4j.create(w.dataType(), dy.size(0), w.size(0)); // [N, in]
        backward(x, dy, dx, false);
        return dx;
    }

    private INDArray ones(long n) {
        if (ones == null || ones.size(1) < n) {
            ones = Nd4j.ones(w.dataType(), 1, Math.max(n, 64));
        }
        return ones.size(1) == n ? ones : Views.head(ones, 1, n);
    }
}

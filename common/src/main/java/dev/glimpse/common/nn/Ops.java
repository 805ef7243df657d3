package dev.glimpse.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/** The few elementwise kernels with fast paths in this ND4J build (see dl4j-speed.md). */
public final class Ops {
    private Ops() {}

    /** z = tanh(x) through the custom op (oneDNN; ~10x the legacy transform). z may be x. */
    public static INDArray tanh(INDArray x, INDArray z) {
        Nd4j.exec(DynamicCustomOp.builder("tanh").addInputs(x).addOutputs(z).build());
        return z;
    }

    /** x = tanh(x) in place. */
    public static INDArray tanhi(INDArray x) {
        return tanh(x, x);
    }

    /** Given z already holding a/2, turns it into sigmoid(a) = 0.5 tanh(a/2) + 0.5 in place. */
    public static INDArray sigmoidFromHalf(INDArray z) {
        tanh(z, z);
        z.muli(0.5).addi(0.5);
        return z;
    }

    /** Softmax over each row of a 2-D array, in place. */
    public static INDArray softmaxRowsi(INDArray z) {
        Nd4j.exec(new SoftMax(z, z, -1));
        return z;
    }

    /** ref[indices[i], :] += updates[i, :] (rows may repeat). */
    /**
     * Rows {@code rows[i]} of a [N, ...] array of any rank (repeats allowed), as a new c-order [rows.length, ...]
     * array: e.g. per-image grids [U, R, C] laid out per caption.
     */
    public static INDArray gatherRows(INDArray a, int[] rows) {
        long[] shape = a.shape().clone();
        long rest = a.length() / Math.max(1, shape[0]);
        INDArray flat = a.reshape('c', shape[0], rest); // [N, rest]
        shape[0] = rows.length;
        return Nd4j.pullRows(flat, 1, rows, 'c').reshape('c', shape);
    }

    public static void scatterAddRows(INDArray ref, int[] indices, INDArray updates) {
        Nd4j.exec(DynamicCustomOp.builder("scatter_add")
                .addInputs(ref, Nd4j.createFromArray(indices), updates).addOutputs(ref).build());
    }

    /** dx = dy * (1 - y^2): gradient through y = tanh(x), written into dy in place. */
    public static INDArray tanhBackwardi(INDArray y, INDArray dy) {
        INDArray d = y.mul(y).rsubi(1.0); // 1 - y^2
        return dy.muli(d);
    }
}

package dev.glimpse.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Lookup table E [vocab, dim] ({@code name.e}): forward gathers rows by id, backward scatter-adds into dE. */
public final class Embedding {
    private final INDArray e;  // [V, D]
    private final INDArray ge; // [V, D]

    /** Declares {@code name.e} uniform in [-0.1, 0.1]. */
    public static void declare(Params.Builder builder, String name, int vocab, int dim) {
        builder.add(name + ".e", vocab, dim, Init.uniform(0.1));
    }

    public Embedding(Params params, String name) {
        this.e = params.get(name + ".e");
        this.ge = params.grad(name + ".e");
    }

    public int vocabSize() {
        return (int) e.size(0);
    }

    public int dim() {
        return (int) e.size(1);
    }

    /** The table E [V, D] itself (a view of the parameters; read-only by convention). */
    public INDArray table() {
        return e;
    }

    /** out[i] = E[ids[i]]; out [N, D] preallocated. */
    public void forward(int[] ids, INDArray out) {
        checkIds(ids);
        Nd4j.pullRows(e, out, 1, ids); // [N, D]
    }

    public INDArray forward(int[] ids) {
        INDArray out = Nd4j.create(e.dataType(), ids.length, e.size(1)); // [N, D]
        forward(ids, out);
        return out;
    }

    /** dE[ids[i]] += dOut[i]. */
    public void backward(int[] ids, INDArray dOut) {
        Ops.scatterAddRows(ge, ids, dOut);
    }

    private void checkIds(int[] ids) {
        int v = (int) e.size(0);
        for (int id : ids) {
            if (id < 0 || id >= v) {
                throw new IllegalArgumentException("token id " + id + " outside vocabulary of " + v);
            }
        }
    }
}

package dev.glimpse.common.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Embedding -> LSTM -> Linear -> softmax cross-entropy, end to end, packed and unpacked. */
class LstmCompositeGradientTest {
    private static final int V = 9;
    private static final int E = 4;
    private static final int H = 5;

    @BeforeAll
    static void init() {
        Backend.init();
    }

    private static double run(Params p, Packing packing, int[] ids, int[] targets, boolean backward) {
        Embedding emb = new Embedding(p, "emb");
        Lstm lstm = new Lstm(p, "lstm");
        Linear out = new Linear(p, "out");
        INDArray x = emb.forward(ids);                         // [N, E]
        INDArray h = lstm.forward(x, packing, null, null);     // [N, H]
        INDArray logits = out.forward(h);                      // [N, V]
        double scale = 1.0 / ids.length;
        if (!backward) {
            return scale * SoftmaxCrossEntropy.loss(logits, targets);
        }
        double loss = SoftmaxCrossEntropy.forwardBackward(logits, targets, scale);
        INDArray dh = Nd4j.create(p.dataType(), packing.rows(), H);
        out.backward(h, logits, dh, false);
        INDArray dx = lstm.backward(dh, null, null, true);
        emb.backward(ids, dx);
        return scale * loss;
    }

    private static void check(Packing packing, long seed) {
        Params.Builder b = Params.builder().dataType(DataType.DOUBLE);
        Embedding.declare(b, "emb", V, E);
        Lstm.declare(b, "lstm", E, H);
        Linear.declare(b, "out", H, V, true);
        Params p = b.build(seed);
        p.get("emb.e").muli(10);
        var rng = new java.util.SplittableRandom(seed);
        int[] ids = rng.ints(packing.rows(), 0, V).toArray();
        ids[1] = ids[0]; // a repeated token
        int[] targets = rng.ints(packing.rows(), 0, V).toArray();
        targets[2] = -1;
        var result = GradientCheck.check(p, () -> run(p, packing, ids, targets, true),
                () -> run(p, packing, ids, targets, false), 12, 1e-5, 1e-7, seed);
        System.out.println("composite " + packing.rows() + " rows: " + result);
        assertTrue(result.max() < 1e-4, result.toString());
    }

    @Test
    void unpacked() {
        check(Packing.full(4, 3), 1);
    }

    @Test
    void packed() {
        check(Packing.ofLengths(5, 3, 3, 2, 1), 2);
    }
}

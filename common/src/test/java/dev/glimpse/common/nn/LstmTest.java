package dev.glimpse.common.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class LstmTest {
    private static final int IN = 3;
    private static final int H = 4;

    @BeforeAll
    static void init() {
        Backend.init();
    }

    private static Params.Builder lstmParams(DataType type) {
        Params.Builder b = Params.builder().dataType(type);
        Lstm.declare(b, "l", IN, H);
        return b;
    }

    @Test
    void gradientsMatchFiniteDifferencesUnpackedWithInitialState() {
        int steps = 4;
        int batch = 3;
        Packing packing = Packing.full(steps, batch);
        Params p = lstmParams(DataType.DOUBLE)
                .add("x", steps * batch, IN, Init.uniform(1))
                .add("h0", batch, H, Init.uniform(0.5))
                .add("c0", batch, H, Init.uniform(0.5))
                .build(1);
        p.get("l.wx").muli(3); // larger weights: saturated gates are exercised too
        Lstm lstm = new Lstm(p, "l");
        INDArray r = Arrays2.uniform(DataType.DOUBLE, 9, 1, steps * batch, H);
        var result = GradientCheck.check(p, () -> {
            double loss = Arrays2.dot(lstm.forward(p.get("x"), packing, p.get("h0"), p.get("c0")), r);
            INDArray dx = lstm.backward(r, p.grad("h0"), p.grad("c0"), true);
            p.grad("x").addi(dx);
            return loss;
        }, () -> Arrays2.dot(lstm.forward(p.get("x"), packing, p.get("h0"), p.get("c0")), r), 30, 1e-5, 1e-7, 2);
        assertTrue(result.max() < 1e-5, result.toString());
        System.out.println("LSTM unpacked, h0/c0: " + result);
    }

    @Test
    void gradientsMatchFiniteDifferencesPacked() {
        Packing packing = Packing.ofLengths(5, 4, 4, 2, 1);
        Params p = lstmParams(DataType.DOUBLE).add("x", packing.rows(), IN, Init.uniform(1)).build(3);
        Lstm lstm = new Lstm(p, "l");
        INDArray r = Arrays2.uniform(DataType.DOUBLE, 8, 1, packing.rows(), H);
        var result = GradientCheck.check(p, () -> {
            double loss = Arrays2.dot(lstm.forward(p.get("x"), packing, null, null), r);
            p.grad("x").addi(lstm.backward(r, null, null, true));
            return loss;
        }, () -> Arrays2.dot(lstm.forward(p.get("x"), packing, null, null), r), 30, 1e-5, 1e-7, 4);
        assertTrue(result.max() < 1e-5, result.toString());
        System.out.println("LSTM packed: " + result);
    }

    @Test
    void packedEqualsUnpackedOnTheValidRows() {
        int[] lengths = {5, 3, 3, 1};
        Packing packed = Packing.ofLengths(lengths);
        Packing full = Packing.full(5, 4);
        Params p = lstmParams(DataType.DOUBLE).build(5);
        INDArray xFull = Arrays2.uniform(DataType.DOUBLE, 6, 1, full.rows(), IN);
        INDArray xPacked = Nd4j.create(DataType.DOUBLE, packed.rows(), IN);
        for (int t = 0; t < 5; t++) {
            for (int b = 0; b < packed.batchSize(t); b++) {
                xPacked.putRow(packed.row(t, b), xFull.getRow(full.row(t, b)));
            }
        }
        INDArray hFull = new Lstm(p, "l").forward(xFull, full, null, null).dup();
        INDArray hPacked = new Lstm(p, "l").forward(xPacked, packed, null, null).dup();
        for (int t = 0; t < 5; t++) {
            for (int b = 0; b < packed.batchSize(t); b++) {
                assertEquals(0.0, hPacked.getRow(packed.row(t, b)).sub(hFull.getRow(full.row(t, b))).amaxNumber().doubleValue(), 1e-12);
            }
        }
    }

    /**
     * DL4J's LSTM (1.0.0-M2.1, LSTMHelpers.activateHelper) keeps [W: nIn x 4H, RW: H x 4H, b: 1 x 4H] with column
     * blocks [block input g (layer activation) | forget f | output o | input gate i]; ours is i, f, o, g.
     */
    @Test
    void forwardEqualsDl4jLstmWithCopiedWeights() {
        int steps = 6;
        int[] lengths = {6, 5, 3, 3, 1};
        int batch = lengths.length;
        Params p = lstmParams(DataType.FLOAT).build(7);
        p.get("l.b").assign(Arrays2.uniform(DataType.FLOAT, 8, 0.5, 4, H));
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT).list()
                .layer(new LSTM.Builder().nIn(IN).nOut(H).activation(Activation.TANH).gateActivationFunction(Activation.SIGMOID).build())
                .build());
        net.init();
        int[] ourGate = {3, 1, 2, 0}; // DL4J column block j (g, f, o, i) -> our gate index (i, f, o, g)
        INDArray w = Nd4j.create(DataType.FLOAT, IN, 4 * H);
        INDArray rw = Nd4j.create(DataType.FLOAT, H, 4 * H);
        INDArray bias = Nd4j.create(DataType.FLOAT, 1, 4 * H);
        for (int j = 0; j < 4; j++) {
            int k = ourGate[j];
            for (int c = 0; c < H; c++) {
                for (int r = 0; r < IN; r++) {
                    w.putScalar(r, j * H + c, p.get("l.wx").getDouble(k * IN + r, c));
                }
                for (int r = 0; r < H; r++) {
                    rw.putScalar(r, j * H + c, p.get("l.wh").getDouble(k * H + r, c));
                }
                bias.putScalar(0, j * H + c, p.get("l.b").getDouble(k, c));
            }
        }
        net.setParam("0_W", w);
        net.setParam("0_RW", rw);
        net.setParam("0_b", bias);
        INDArray ncw = Nd4j.create(DataType.FLOAT, batch, IN, steps);              // [B, in, T]
        ncw.assign(Arrays2.uniform(DataType.FLOAT, 9, 2, batch * IN * steps, 1).reshape(batch, IN, steps));
        // The LSTM is causal: positions past a sequence's end (padding, fed unmasked to DL4J) cannot change earlier outputs.
        INDArray expected = net.output(ncw);                                       // [B, H, T]
        Packing packing = Packing.ofLengths(lengths);
        INDArray x = Nd4j.create(DataType.FLOAT, packing.rows(), IN);               // [N, in]
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < packing.batchSize(t); b++) {
                x.putRow(packing.row(t, b), ncw.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.point(t)));
            }
        }
        INDArray h = new Lstm(p, "l").forward(x, packing, null, null);
        double max = 0;
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < packing.batchSize(t); b++) {
                INDArray ours = h.getRow(packing.row(t, b));
                INDArray theirs = expected.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.point(t));
                max = Math.max(max, ours.sub(theirs.reshape(ours.shape())).amaxNumber().doubleValue());
            }
        }
        System.out.println("LSTM vs DL4J max abs diff: " + max);
        assertTrue(max < 1e-5, "max abs difference " + max);
        assertTrue(expected.amaxNumber().doubleValue() > 0.05, "non-trivial activations");
    }

    @Test
    void repeatedStepEqualsFullForward() {
        int steps = 5;
        int batch = 3;
        Params p = lstmParams(DataType.FLOAT).build(11);
        Packing packing = Packing.full(steps, batch);
        INDArray x = Arrays2.uniform(DataType.FLOAT, 12, 1, steps * batch, IN);
        INDArray h0 = Arrays2.uniform(DataType.FLOAT, 13, 0.5, batch, H);
        INDArray c0 = Arrays2.uniform(DataType.FLOAT, 14, 0.5, batch, H);
        Lstm lstm = new Lstm(p, "l");
        INDArray full = lstm.forward(x, packing, h0, c0).dup();
        INDArray h = h0.dup();
        INDArray c = c0.dup();
        for (int t = 0; t < steps; t++) {
            lstm.step(x.get(NDArrayIndex.interval(t * batch, (t + 1) * batch), NDArrayIndex.all()).dup(), h, c);
            INDArray expected = full.get(NDArrayIndex.interval(t * batch, (t + 1) * batch), NDArrayIndex.all());
            assertEquals(0.0, h.sub(expected).amaxNumber().doubleValue(), 1e-6, "step " + t);
        }
    }

    @Test
    void inferEqualsForwardPackedAndBatchOne() {
        Params p = lstmParams(DataType.DOUBLE).build(17);
        Lstm train = new Lstm(p, "l");
        Lstm infer = new Lstm(p, "l");
        for (int[] lengths : new int[][] {{5, 3, 3, 1}, {4}}) {
            Packing packing = Packing.ofLengths(lengths);
            INDArray x = Arrays2.uniform(DataType.DOUBLE, 18, 1, packing.rows(), IN);
            INDArray expected = train.forward(x, packing, null, null).dup();
            INDArray actual = infer.infer(x, packing);
            assertEquals(0.0, actual.sub(expected).amaxNumber().doubleValue(), 1e-12);
        }
    }

    /** The fused inference weights follow parameter updates (Adam, copyFrom, or changed() after a direct write). */
    @Test
    void stepSeesParameterChanges() {
        int batch = 2;
        Params p = lstmParams(DataType.DOUBLE).build(19);
        Lstm lstm = new Lstm(p, "l");
        INDArray x = Arrays2.uniform(DataType.DOUBLE, 20, 1, batch, IN);
        INDArray h = Nd4j.zeros(DataType.DOUBLE, batch, H);
        lstm.step(x, h, Nd4j.zeros(DataType.DOUBLE, batch, H));
        INDArray before = h.dup();
        p.get("l.wx").muli(2);
        p.changed();
        lstm.step(x, h.assign(0), Nd4j.zeros(DataType.DOUBLE, batch, H));
        INDArray expected = new Lstm(p, "l").forward(x, Packing.full(1, batch), null, null);
        assertEquals(0.0, h.sub(expected).amaxNumber().doubleValue(), 1e-12);
        assertTrue(h.sub(before).amaxNumber().doubleValue() > 1e-3, "the change is visible");
        float[] saved = p.toFloatArray();
        p.get("l.wx").muli(0.5);
        p.changed();
        p.copyFrom(saved);
        lstm.step(x, h.assign(0), Nd4j.zeros(DataType.DOUBLE, batch, H));
        assertEquals(0.0, h.sub(expected).amaxNumber().doubleValue(), 1e-6);
    }

    /** A step from precomputed input products (a decoder's word table) equals a plain step, at batch 1 and 3. */
    @Test
    void stepFromInputProductsEqualsStep() {
        Params p = lstmParams(DataType.DOUBLE).build(23);
        Lstm lstm = new Lstm(p, "l");
        for (int batch : new int[] {1, 3}) {
            INDArray x = Arrays2.uniform(DataType.DOUBLE, 24 + batch, 1, batch, IN);
            INDArray h = Arrays2.uniform(DataType.DOUBLE, 30, 0.5, batch, H);
            INDArray c = Arrays2.uniform(DataType.DOUBLE, 31, 0.5, batch, H);
            INDArray h2 = h.dup();
            INDArray c2 = c.dup();
            lstm.step(x, h, c);
            INDArray gates = lstm.inputProducts(x);
            lstm.stepFromInputProducts(gates, h2, c2);
            assertEquals(0.0, h2.sub(h).amaxNumber().doubleValue(), 1e-12, "h, batch " + batch);
            assertEquals(0.0, c2.sub(c).amaxNumber().doubleValue(), 1e-12, "c, batch " + batch);
            assertTrue(h.amaxNumber().doubleValue() > 0.05, "non-trivial state");
        }
    }

    /** The batch-1 Java cell reading a table row equals the ND4J path, over several steps and on array views. */
    @Test
    void stepFromTableRowEqualsStepFromInputProducts() {
        Params p = lstmParams(DataType.FLOAT).build(41);
        Lstm lstm = new Lstm(p, "l");
        INDArray words = Arrays2.uniform(DataType.FLOAT, 42, 1.5, 5, IN);
        INDArray table = lstm.inputProducts(words); // [5, 4H]
        INDArray stateH = Nd4j.zeros(DataType.FLOAT, 3, H);
        INDArray stateC = Nd4j.zeros(DataType.FLOAT, 3, H);
        INDArray h = Views.rows(stateH, 1, 2); // views at an offset, as state rows may be
        INDArray c = Views.rows(stateC, 1, 2);
        INDArray h2 = Nd4j.zeros(DataType.FLOAT, 1, H);
        INDArray c2 = Nd4j.zeros(DataType.FLOAT, 1, H);
        for (int word : new int[] {3, 0, 4, 4, 1}) {
            lstm.stepFromTableRow(table, word, h, c);
            INDArray gates = Views.rows(table, word, word + 1).dup();
            lstm.stepFromInputProducts(gates, h2, c2);
            assertEquals(0.0, h.sub(h2).amaxNumber().doubleValue(), 1e-6, "h after word " + word);
            assertEquals(0.0, c.sub(c2).amaxNumber().doubleValue(), 1e-6, "c after word " + word);
        }
        assertTrue(h.amaxNumber().doubleValue() > 0.05, "non-trivial state");
        assertEquals(0.0, Views.rows(stateH, 0, 1).amaxNumber().doubleValue(), "neighbouring rows untouched");
        assertEquals(0.0, Views.rows(stateH, 2, 3).amaxNumber().doubleValue(), "neighbouring rows untouched");
    }
}

package dev.glimpse.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Every cell through the {@link RecurrentLayer} interface: gradients, state carry, inference paths. */
class RecurrentLayerTest {
    private static final int IN = 3;
    private static final int H = 4;

    @BeforeAll
    static void init() {
        Backend.init();
    }

    private static Params.Builder params(CellKind kind, DataType type) {
        Params.Builder b = Params.builder().dataType(type);
        kind.declare(b, "l", IN, H);
        return b;
    }

    /** Biases away from their initial zeros/ones so every bias row's gradient is exercised. */
    private static void perturbBias(Params p, long seed) {
        INDArray b = p.get("l.b");
        b.addi(Arrays2.uniform(p.dataType(), seed, 0.5, (int) b.size(0), (int) b.size(1)));
        p.changed();
    }

    @ParameterizedTest
    @EnumSource(CellKind.class)
    void gradientsMatchFiniteDifferencesPackedWithInitialState(CellKind kind) {
        Packing packing = Packing.ofLengths(5, 4, 4, 2, 1);
        int batch = packing.batch();
        Params p = params(kind, DataType.DOUBLE)
                .add("x", packing.rows(), IN, Init.uniform(1))
                .add("h0", batch, H, Init.uniform(0.5))
                .add("c0", batch, H, Init.uniform(0.5))
                .build(11);
        p.get("l.wx").muli(2); // larger weights: saturated gates are exercised too
        perturbBias(p, 12);
        RecurrentLayer layer = kind.create(p, "l");
        INDArray c0 = kind.hasCell() ? p.get("c0") : null;
        INDArray r = Arrays2.uniform(DataType.DOUBLE, 13, 1, packing.rows(), H);
        var result = GradientCheck.check(p, () -> {
            double loss = Arrays2.dot(layer.forward(p.get("x"), packing, p.get("h0"), c0), r);
            p.grad("x").addi(layer.backward(r, p.grad("h0"), kind.hasCell() ? p.grad("c0") : null, true));
            return loss;
        }, () -> Arrays2.dot(layer.forward(p.get("x"), packing, p.get("h0"), c0), r), 40, 1e-5, 1e-7, 14);
        System.out.println(kind + " packed, with initial state: " + result);
        assertTrue(result.max() < 1e-5, result.toString());
    }

    @ParameterizedTest
    @EnumSource(CellKind.class)
    void gradientsMatchFiniteDifferencesFromZeroState(CellKind kind) {
        Packing packing = Packing.full(4, 3);
        Params p = params(kind, DataType.DOUBLE).add("x", packing.rows(), IN, Init.uniform(1)).build(21);
        perturbBias(p, 22);
        RecurrentLayer layer = kind.create(p, "l");
        INDArray r = Arrays2.uniform(DataType.DOUBLE, 23, 1, packing.rows(), H);
        var result = GradientCheck.check(p, () -> {
            double loss = Arrays2.dot(layer.forward(p.get("x"), packing, null, null), r);
            p.grad("x").addi(layer.backward(r, null, null, true));
            return loss;
        }, () -> Arrays2.dot(layer.forward(p.get("x"), packing, null, null), r), 40, 1e-5, 1e-7, 24);
        System.out.println(kind + " unpacked, zero state: " + result);
        assertTrue(result.max() < 1e-5, result.toString());
    }

    /** The GRU against the PyTorch equations written out in plain doubles, same weights. */
    @Test
    void gruForwardEqualsPyTorchEquations() {
        Packing packing = Packing.ofLengths(4, 2);
        Params p = params(CellKind.GRU, DataType.DOUBLE).build(31);
        perturbBias(p, 32);
        INDArray x = Arrays2.uniform(DataType.DOUBLE, 33, 1, packing.rows(), IN);
        INDArray out = CellKind.GRU.create(p, "l").forward(x, packing, null, null).dup();
        double[][] wx = p.get("l.wx").toDoubleMatrix(); // [3*IN][H]
        double[][] wh = p.get("l.wh").toDoubleMatrix(); // [3*H][H]
        double[][] b = p.get("l.b").toDoubleMatrix();   // [4][H]
        for (int s = 0; s < packing.batch(); s++) {
            double[] h = new double[H];
            for (int t = 0; t < packing.length(s); t++) {
                double[] xt = x.getRow(packing.row(t, s)).toDoubleVector();
                double[] next = new double[H];
                for (int j = 0; j < H; j++) {
                    double ar = b[0][j];
                    double az = b[1][j];
                    double axn = b[2][j];
                    double ahn = b[3][j];
                    for (int i = 0; i < IN; i++) {
                        ar += xt[i] * wx[i][j];
                        az += xt[i] * wx[IN + i][j];
                        axn += xt[i] * wx[2 * IN + i][j];
                    }
                    for (int i = 0; i < H; i++) {
                        ar += h[i] * wh[i][j];
                        az += h[i] * wh[H + i][j];
                        ahn += h[i] * wh[2 * H + i][j];
                    }
                    double r = 1 / (1 + Math.exp(-ar));
                    double z = 1 / (1 + Math.exp(-az));
                    double n = Math.tanh(axn + r * ahn);
                    next[j] = (1 - z) * n + z * h[j];
                }
                h = next;
                assertArrayEquals(h, out.getRow(packing.row(t, s)).toDoubleVector(), 1e-12, "step " + t + " seq " + s);
            }
        }
    }

    /** Two chunks with the state carried give the same outputs as one forward over all steps. */
    @ParameterizedTest
    @EnumSource(CellKind.class)
    void carriedStateContinuesTheSequence(CellKind kind) {
        Packing all = Packing.ofLengths(5, 3, 2);
        Params p = params(kind, DataType.DOUBLE).build(41);
        perturbBias(p, 42);
        INDArray x = Arrays2.uniform(DataType.DOUBLE, 43, 1, all.rows(), IN);
        RecurrentLayer layer = kind.create(p, "l");
        INDArray whole = layer.forward(x, all, null, null).dup();
        Packing first = Packing.ofLengths(2, 2, 2);  // steps 0..1
        Packing second = Packing.ofLengths(3, 1);    // steps 2..4 of the two sequences still running
        int split = all.offset(2);
        INDArray out1 = layer.forward(Views.rows(x, 0, split), first, null, null).dup();
        INDArray h = Nd4j.create(DataType.DOUBLE, 2, H);
        INDArray c = Nd4j.create(DataType.DOUBLE, 2, H);
        layer.copyLastState(2, h, c);
        INDArray out2 = layer.forward(Views.rows(x, split, all.rows()), second, h, kind.hasCell() ? c : null).dup();
        assertEquals(0, out1.sub(Views.rows(whole, 0, split)).amaxNumber().doubleValue(), 1e-12);
        assertEquals(0, out2.sub(Views.rows(whole, split, all.rows())).amaxNumber().doubleValue(), 1e-12);
    }

    /** step, the input-product paths and infer all equal the training forward (float, rounding only). */
    @ParameterizedTest
    @EnumSource(CellKind.class)
    void inferencePathsEqualTheTrainingForward(CellKind kind) {
        Packing packing = Packing.ofLengths(4, 3, 1);
        Params p = params(kind, DataType.FLOAT).build(51);
        perturbBias(p, 52);
        INDArray x = Arrays2.uniform(DataType.FLOAT, 53, 1, packing.rows(), IN);
        RecurrentLayer layer = kind.create(p, "l");
        INDArray train = layer.forward(x, packing, null, null).dup();
        INDArray infer = layer.infer(x, packing).dup();
        assertEquals(0, train.sub(infer).amaxNumber().doubleValue(), 1e-5);
        INDArray table = layer.inputProducts(x);                                 // [N, width]
        assertEquals(layer.inputProductWidth(), table.size(1));
        for (int s = 0; s < packing.batch(); s++) {
            INDArray h1 = Nd4j.create(DataType.FLOAT, 1, H);
            INDArray c1 = Nd4j.create(DataType.FLOAT, 1, H);
            INDArray h2 = Nd4j.create(DataType.FLOAT, 1, H);
            INDArray c2 = Nd4j.create(DataType.FLOAT, 1, H);
            INDArray h3 = Nd4j.create(DataType.FLOAT, 1, H);
            INDArray c3 = Nd4j.create(DataType.FLOAT, 1, H);
            for (int t = 0; t < packing.length(s); t++) {
                int row = packing.row(t, s);
                layer.step(x.getRow(row, true).dup(), h1, c1);
                layer.stepFromInputProducts(table.getRow(row, true).dup(), h2, c2);
                layer.stepFromTableRow(table, row, h3, c3);
                INDArray expected = train.getRow(row, true);
                assertEquals(0, expected.sub(h1).amaxNumber().doubleValue(), 1e-5, kind + " step");
                assertEquals(0, expected.sub(h2).amaxNumber().doubleValue(), 1e-5, kind + " input products");
                assertEquals(0, expected.sub(h3).amaxNumber().doubleValue(), 1e-5, kind + " table row");
            }
        }
    }

    /**
     * With bfloat16 decoding on, the batch-1 steps of the LSTM and the GRU (table row, and the LSTM's plain step)
     * use their copies: close to the float steps, not equal; the plain RNN ignores it and stays exact.
     */
    @ParameterizedTest
    @EnumSource(CellKind.class)
    void bf16BatchOneStepsStayCloseToFloat(CellKind kind) {
        Params p = params(kind, DataType.FLOAT).build(71);
        perturbBias(p, 72);
        RecurrentLayer exact = kind.create(p, "l");
        RecurrentLayer half = kind.create(p, "l");
        half.decodeInBf16(true);
        INDArray x = Arrays2.uniform(DataType.FLOAT, 73, 1, 6, IN);
        INDArray table = exact.inputProducts(x);
        INDArray[] state = new INDArray[6];
        for (int i = 0; i < state.length; i++) {
            state[i] = Nd4j.create(DataType.FLOAT, 1, H);
        }
        double tableDiff = 0;
        double stepDiff = 0;
        for (int t = 0; t < 6; t++) {
            exact.stepFromTableRow(table, t, state[0], state[1]);
            half.stepFromTableRow(table, t, state[2], state[3]);
            half.step(x.getRow(t, true).dup(), state[4], state[5]);
            tableDiff = Math.max(tableDiff, state[0].sub(state[2]).amaxNumber().doubleValue());
            stepDiff = Math.max(stepDiff, state[0].sub(state[4]).amaxNumber().doubleValue());
        }
        assertTrue(tableDiff < 2e-2 && stepDiff < 2e-2, kind + ": " + tableDiff + ", " + stepDiff);
        assertEquals(kind != CellKind.RNN, tableDiff > 0, kind + " table row uses bfloat16: " + tableDiff);
        assertEquals(kind == CellKind.LSTM, stepDiff > 1e-6, kind + " step uses bfloat16: " + stepDiff);
    }

    @ParameterizedTest
    @EnumSource(CellKind.class)
    void recordsOneGradientNormPerStep(CellKind kind) {
        Packing packing = Packing.ofLengths(3, 2);
        Params p = params(kind, DataType.DOUBLE).build(61);
        RecurrentLayer layer = kind.create(p, "l");
        INDArray x = Arrays2.uniform(DataType.DOUBLE, 62, 1, packing.rows(), IN);
        INDArray dH = Nd4j.zeros(DataType.DOUBLE, packing.rows(), H);
        dH.putScalar(packing.row(2, 0), 0, 1.0); // loss only on the last step of the longest sequence
        layer.recordStepGradNorms(true);
        layer.forward(x, packing, null, null);
        layer.backward(dH, null, null, false);
        double[] norms = layer.stepGradNorms();
        assertNotNull(norms);
        assertEquals(3, norms.length);
        assertEquals(1.0, norms[2], 1e-12);          // one active row at step 2, |dh| = 1
        assertTrue(norms[1] > 0 && norms[0] > 0);     // flows back through the recurrence
    }

    @ParameterizedTest
    @EnumSource(CellKind.class)
    void parameterCountMatchesTheDeclaration(CellKind kind) {
        Params.Builder b = Params.builder();
        kind.declare(b, "l", 7, 5);
        assertEquals(kind.parameterCount(7, 5), b.build(1).size());
    }
}

package dev.glimpse.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One plain (Elman) RNN layer with tanh over time-major rows (see {@link Packing}):
 * {@code h_t = tanh(x_t Wx + h_{t-1} Wh + b)}. Parameters {@code name.wx} [in, H], {@code name.wh} [H, H],
 * {@code name.b} [1, H]. Training: the input products of all steps in one GEMM, per step one recurrent GEMM
 * (beta = 1) and one tanh. Inference: a fused [Wx ; Wh ; b] makes a step one GEMM. Not thread-safe.
 */
public final class Rnn implements RecurrentLayer {
    private final int in;
    private final int hidden;
    private final DataType type;
    private final Params params;
    private final INDArray wx;  // [in, H]
    private final INDArray wh;  // [H, H]
    private final INDArray b;   // [1, H]
    private final INDArray gwx;
    private final INDArray gwh;
    private final INDArray gb;

    private int capRows;
    private int capBatch;
    private INDArray hBuf;     // [capRows, H]: h -> dLoss/da after backward
    private INDArray hPrevBuf; // [capRows, H]
    private INDArray dxBuf;    // [capRows, in]
    private INDArray onesBuf;  // [1, capRows]
    private INDArray dhBuf;    // [capBatch, H]
    private INDArray tmpA;     // [capBatch, H]
    private INDArray cachedX;
    private Packing cachedPacking;
    private boolean hasH0;
    private Packing statePacking;
    private boolean recordNorms;
    private double[] stepNorms;
    private boolean stateValid; // hBuf holds h (not gradients) of statePacking

    private long fusedVersion = -1;
    private INDArray fused;     // [in + H + 1, H]
    private INDArray fusedWx;   // [in, H]
    private INDArray fusedWhB;  // [H + 1, H]
    private int scratchBatch = -1;
    private INDArray xh1;       // [B, in + H + 1]
    private INDArray xh1X;
    private INDArray xh1H;
    private INDArray h1;        // [B, H + 1]
    private INDArray h1H;
    private int inferCap;
    private INDArray inferH;    // [cap, H]

    /** Declares {@code name.wx}, {@code name.wh} uniform(+-1/sqrt(H)) (as PyTorch) and {@code name.b} zeros. */
    public static void declare(Params.Builder builder, String name, int in, int hidden) {
        double a = 1.0 / Math.sqrt(hidden);
        builder.add(name + ".wx", in, hidden, Init.uniform(a));
        builder.add(name + ".wh", hidden, hidden, Init.uniform(a));
        builder.add(name + ".b", 1, hidden, Init.zeros());
    }

    public Rnn(Params params, String name) {
        this.wx = params.get(name + ".wx");
        this.wh = params.get(name + ".wh");
        this.b = params.get(name + ".b");
        this.in = (int) wx.size(0);
        this.hidden = (int) wh.size(1);
        if (wx.size(1) != hidden || wh.size(0) != hidden || b.size(0) != 1 || b.size(1) != hidden) {
            throw new IllegalArgumentException(name + ": inconsistent RNN parameter shapes");
        }
        this.gwx = params.grad(name + ".wx");
        this.gwh = params.grad(name + ".wh");
        this.gb = params.grad(name + ".b");
        this.type = wx.dataType();
        this.params = params;
    }

    @Override
    public CellKind kind() {
        return CellKind.RNN;
    }

    @Override
    public int inputSize() {
        return in;
    }

    @Override
    public int hiddenSize() {
        return hidden;
    }

    @Override
    public INDArray forward(INDArray x, Packing packing, INDArray h0, INDArray c0) {
        int n = packing.rows();
        int batch = packing.batch();
        if (x.size(0) != n || x.size(1) != in) {
            throw new IllegalArgumentException("RNN input " + x.shapeInfoToString() + " expected [" + n + ", " + in + "]");
        }
        ensureCapacity(n, batch);
        INDArray hAll = Views.rows(hBuf, 0, n);
        Nd4j.gemm(x, wx, hAll, false, false, 1.0, 0.0);                       // input side, all steps at once
        hAll.addiRowVector(b);
        INDArray hp0 = Views.rows(hPrevBuf, 0, batch);
        if (h0 != null) {
            hp0.assign(h0);
        } else {
            hp0.assign(0);
        }
        for (int t = 0; t < packing.steps(); t++) {
            int bs = packing.batchSize(t);
            int off = packing.offset(t);
            INDArray h = Views.rows(hAll, off, off + bs);                     // [bs, H]
            if (t > 0 || h0 != null) {
                Nd4j.gemm(Views.rows(hPrevBuf, off, off + bs), wh, h, false, false, 1.0, 1.0);
            }
            Ops.tanhi(h);
            if (t + 1 < packing.steps()) {
                int next = packing.offset(t + 1);
                int nbs = packing.batchSize(t + 1);
                Views.rows(hPrevBuf, next, next + nbs).assign(Views.rows(hAll, off, off + nbs));
            }
        }
        cachedX = x;
        cachedPacking = packing;
        hasH0 = h0 != null;
        statePacking = packing;
        stateValid = true;
        return hAll;
    }

    @Override
    public INDArray backward(INDArray dH, INDArray dh0, INDArray dc0, boolean needDx) {
        if (cachedPacking == null) {
            throw new IllegalStateException("backward without a forward");
        }
        Packing packing = cachedPacking;
        int n = packing.rows();
        int batch = packing.batch();
        INDArray dhAll = Views.rows(dhBuf, 0, batch);
        dhAll.assign(0);
        double[] norms = recordNorms ? new double[packing.steps()] : null;
        for (int t = packing.steps() - 1; t >= 0; t--) {
            int bs = packing.batchSize(t);
            int off = packing.offset(t);
            INDArray dh = Views.rows(dhBuf, 0, bs);
            dh.addi(Views.rows(dH, off, off + bs));
            if (norms != null) {
                norms[t] = dh.norm2Number().doubleValue() / Math.sqrt(bs);
            }
            INDArray h = Views.rows(hBuf, off, off + bs);                     // h -> da = dh (1 - h^2)
            INDArray a = Views.rows(tmpA, 0, bs);
            h.mul(h, a);
            a.rsubi(1.0).muli(dh);
            h.assign(a);
            if (t > 0 || hasH0) {
                Nd4j.gemm(h, wh, dh, false, true, 1.0, 0.0);                  // dh_{t-1} = da Wh^T
            }
        }
        if (dh0 != null && hasH0) {
            dh0.assign(dhAll);
        }
        INDArray da = Views.rows(hBuf, 0, n);
        Nd4j.gemm(cachedX, da, gwx, true, false, 1.0, 1.0);
        Nd4j.gemm(Views.rows(hPrevBuf, 0, n), da, gwh, true, false, 1.0, 1.0);
        Nd4j.gemm(Views.head(onesBuf, 1, n), da, gb, false, false, 1.0, 1.0);
        INDArray dx = null;
        if (needDx) {
            dx = Views.rows(dxBuf, 0, n);
            Nd4j.gemm(da, wx, dx, false, true, 1.0, 0.0);
        }
        if (norms != null) {
            stepNorms = norms;
        }
        cachedPacking = null;
        cachedX = null;
        stateValid = false;
        return dx;
    }

    @Override
    public void copyLastState(int rows, INDArray h, INDArray c) {
        Packing p = statePacking;
        if (p == null || !stateValid || rows > p.batchSize(p.steps() - 1)) {
            throw new IllegalStateException("copyLastState: needs a forward (before its backward), rows within the last step's");
        }
        int off = p.offset(p.steps() - 1);
        h.assign(Views.rows(hBuf, off, off + rows));
    }

    @Override
    public void recordStepGradNorms(boolean on) {
        recordNorms = on;
    }

    @Override
    public double[] stepGradNorms() {
        return stepNorms;
    }

    @Override
    public int trainingCapacityRows() {
        return capRows;
    }

    @Override
    public void step(INDArray x, INDArray h, INDArray c) {
        int batch = (int) x.size(0);
        fusedWeights();
        ensureScratch(batch);
        xh1X.assign(x);
        xh1H.assign(h);
        Nd4j.gemm(xh1, fused, h, false, false, 1.0, 0.0);                    // [B, H]
        Ops.tanhi(h);
    }

    @Override
    public INDArray inputProducts(INDArray x) {
        if (x.rank() != 2 || x.size(1) != in) {
            throw new IllegalArgumentException("inputProducts: x must be [N, " + in + "]");
        }
        fusedWeights();
        INDArray out = Nd4j.create(type, x.size(0), hidden);
        Nd4j.gemm(x, fusedWx, out, false, false, 1.0, 0.0);
        return out;
    }

    @Override
    public void stepFromInputProducts(INDArray gates, INDArray h, INDArray c) {
        int batch = (int) h.size(0);
        if (gates.rank() != 2 || gates.size(0) != batch || gates.size(1) != hidden) {
            throw new IllegalArgumentException("stepFromInputProducts: gates must be [" + batch + ", " + hidden + "]");
        }
        fusedWeights();
        ensureScratch(batch);
        h1H.assign(h);
        Nd4j.gemm(h1, fusedWhB, gates, false, false, 1.0, 1.0);             // += [h ; 1] [Wh ; b]
        Ops.tanh(gates, h);
    }

    /**
     * Ignored: a plain RNN's recurrent weights are a quarter of an LSTM's, so its batch-1 step is the output
     * layer's (which the decoder can take to bfloat16) and a few ND4J calls; its own product stays in float.
     */
    @Override
    public void decodeInBf16(boolean on) {
        // float only, see above
    }

    @Override
    public void stepFromTableRow(INDArray table, int row, INDArray h, INDArray c) {
        if (h.size(0) != 1 || table.size(1) != hidden || row < 0 || row >= table.size(0)) {
            throw new IllegalArgumentException("stepFromTableRow: one row, a [V, " + hidden + "] table");
        }
        fusedWeights();
        ensureScratch(1);
        h1H.assign(h);
        h.assign(Views.rows(table, row, row + 1));
        Nd4j.gemm(h1, fusedWhB, h, false, false, 1.0, 1.0);
        Ops.tanhi(h);
    }

    @Override
    public INDArray infer(INDArray x, Packing packing) {
        int n = packing.rows();
        if (x.size(0) != n || x.size(1) != in) {
            throw new IllegalArgumentException("RNN input " + x.shapeInfoToString() + " expected [" + n + ", " + in + "]");
        }
        fusedWeights();
        if (n > inferCap) {
            int cap = Math.max(n, inferCap + inferCap / 4);
            inferH = Nd4j.create(type, cap, hidden);
            inferCap = cap;
        }
        INDArray hAll = Views.rows(inferH, 0, n);
        Nd4j.gemm(x, fusedWx, hAll, false, false, 1.0, 0.0);
        hAll.addiRowVector(b);
        for (int t = 0; t < packing.steps(); t++) {
            int bs = packing.batchSize(t);
            int off = packing.offset(t);
            INDArray h = Views.rows(hAll, off, off + bs);
            if (t > 0) {
                int prev = packing.offset(t - 1);
                Nd4j.gemm(Views.rows(hAll, prev, prev + bs), wh, h, false, false, 1.0, 1.0);
            }
            Ops.tanhi(h);
        }
        return hAll;
    }

    private void ensureScratch(int batch) {
        if (batch != scratchBatch) {
            xh1 = Nd4j.create(type, batch, in + hidden + 1);
            xh1.get(NDArrayIndex.all(), NDArrayIndex.point(in + hidden)).assign(1.0);
            xh1X = xh1.get(NDArrayIndex.all(), NDArrayIndex.interval(0, in));
            xh1H = xh1.get(NDArrayIndex.all(), NDArrayIndex.interval(in, in + hidden));
            h1 = Nd4j.create(type, batch, hidden + 1);
            h1.get(NDArrayIndex.all(), NDArrayIndex.point(hidden)).assign(1.0);
            h1H = h1.get(NDArrayIndex.all(), NDArrayIndex.interval(0, hidden));
            scratchBatch = batch;
        }
    }

    private void fusedWeights() {
        if (fused != null && fusedVersion == params.version()) {
            return;
        }
        if (fused == null) {
            fused = Nd4j.create(type, in + hidden + 1, hidden);
            fusedWx = Views.rows(fused, 0, in);
            fusedWhB = Views.rows(fused, in, in + hidden + 1);
        }
        fusedWx.assign(wx);
        Views.rows(fused, in, in + hidden).assign(wh);
        Views.rows(fused, in + hidden, in + hidden + 1).assign(b);
        fusedVersion = params.version();
    }

    private void ensureCapacity(int rows, int batch) {
        if (rows > capRows) {
            int cap = Math.max(rows, capRows + capRows / 4);
            hBuf = Nd4j.create(type, cap, hidden);
            hPrevBuf = Nd4j.create(type, cap, hidden);
            dxBuf = Nd4j.create(type, cap, in);
            onesBuf = Nd4j.ones(type, 1, cap);
            capRows = cap;
        }
        if (batch > capBatch) {
            dhBuf = Nd4j.create(type, batch, hidden);
            tmpA = Nd4j.create(type, batch, hidden);
            capBatch = batch;
        }
    }
}

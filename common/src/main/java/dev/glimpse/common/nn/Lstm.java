package dev.glimpse.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One LSTM layer over time-major rows (row {@code offset(t) + b}, see {@link Packing}).
 *
 * <p>Gates in order k = i, f, o, g (0..3):
 * <pre>
 *   a_k = x_t Wx_k + h_{t-1} Wh_k + b_k
 *   i = sigmoid(a_i), f = sigmoid(a_f), o = sigmoid(a_o), g = tanh(a_g)
 *   c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)
 * </pre>
 * Parameters (views into a {@link Params}): {@code name.wx} [4*in, H] (gate k = rows k*in..), {@code name.wh}
 * [4*H, H], {@code name.b} [4, H] (row k = gate k). Each gate has its own contiguous weight block and its own
 * contiguous pre-activation array [N, H], so all elementwise work runs on contiguous memory (~10x cheaper
 * than on column blocks of one [N, 4H] array). sigmoid(a) = 0.5 tanh(a/2) + 0.5 with the 1/2 folded into the
 * GEMM alpha and a halved bias: the custom tanh op is ~10x faster than any sigmoid here.
 *
 * <p>Training: {@link #forward} computes the input-side products of all steps in 4 GEMMs, then per step only
 * the recurrent GEMMs (beta = 1) and the cell. It caches gate activations, c, tanh(c) and h_{t-1};
 * {@link #backward} consumes that cache (once) and accumulates dWx, dWh, db into the params' gradients.
 * The input x must stay unchanged between forward and backward.
 *
 * <p>Inference ({@link #step}, {@link #infer}): the stored layout needs 8 small products per step; instead a
 * fused copy [alpha Wx ; alpha Wh ; alpha b] [in + H + 1, 4H] (gate k = column block k) makes it one GEMM
 * per step (measured 4x faster at batch 1). The copy is built lazily and rebuilt when
 * {@link Params#version()} moved (Adam steps, copyFrom, or {@link Params#changed()} after direct writes).
 * Not thread-safe.
 */
public final class Lstm implements RecurrentLayer {
    private static final int I = 0;
    private static final int F = 1;
    private static final int O = 2;
    private static final int G = 3;
    private static final double[] ALPHA = {0.5, 0.5, 0.5, 1.0};

    private final int in;
    private final int hidden;
    private final DataType type;
    private final INDArray b;     // [4, H]
    private final INDArray gb;    // [4, H]
    private final INDArray[] wx = new INDArray[4];  // [in, H] each
    private final INDArray[] wh = new INDArray[4];  // [H, H] each
    private final INDArray[] gwx = new INDArray[4];
    private final INDArray[] gwh = new INDArray[4];
    private final INDArray halfBias; // [4, H]: sigmoid rows halved

    // Training cache, capacity-sized; views per call.
    private int capRows;
    private int capBatch;
    private INDArray zBuf;     // [4*capRows, H]: gate pre-activations -> activations -> gate gradients
    private INDArray cBuf;     // [capRows, H]
    private INDArray tcBuf;    // [capRows, H]
    private INDArray hBuf;     // [capRows, H]
    private INDArray hPrevBuf; // [capRows, H]: h_{t-1} rows of each step (h0 or zeros at t = 0)
    private INDArray dxBuf;    // [capRows, in]
    private INDArray onesBuf;  // [1, capRows]
    private INDArray dhBuf;    // [capBatch, H]
    private INDArray dcBuf;    // [capBatch, H]
    private INDArray tmpA;     // [capBatch, H]
    private INDArray tmpB;     // [capBatch, H]

    private INDArray cachedX;
    private Packing cachedPacking;
    private INDArray cachedC0;
    private boolean hasH0;
    private Packing statePacking; // the last forward's, for copyLastState (kept through backward)
    private boolean recordNorms;
    private double[] stepNorms;

    // Inference: fused weights, rebuilt when the params' version moves (see fusedWeights()).
    private final Params params;
    private long fusedVersion = -1;
    private INDArray fused;      // [in + H + 1, 4H]: alpha-scaled [Wx ; Wh ; b], gate k = columns k*H..
    private INDArray fusedWx;    // [in, 4H] view
    private INDArray fusedWh;    // [H, 4H] view
    private INDArray fusedB;     // [1, 4H] view
    private INDArray fusedWhB;   // [H + 1, 4H] view: [alpha Wh ; alpha b]
    // stepFromInputProducts() scratch, per batch size
    private int h1Batch = -1;
    private INDArray h1;         // [B, H + 1]: [h ; 1]
    private INDArray h1H;        // [B, H] view
    // decodeInBf16(): batch-1 products through bfloat16 copies, rebuilt with the fused weights
    private boolean bf16;
    private Bf16RowProduct recBf16;   // [H + 1, 4H]: [alpha Wh ; alpha b]
    private Bf16RowProduct stepBf16;  // [in + H + 1, 4H]: the whole fused matrix
    private long bf16Version = -1;
    private float[] rowH1;            // [H + 1]: [h ; 1]
    // stepFromTableRow() scratch
    private INDArray rowGates;   // [1, 4H]
    private float[] rowIn;
    private float[] rowRec;
    private float[] rowC;
    private float[] rowH;
    private INDArray gateScale;  // [1, 4H]: 0.5 on i, f, o; 1 on g
    private INDArray gateShift;  // [1, 4H]: 0.5 on i, f, o; 0 on g
    // step() scratch, per batch size
    private int stepBatch = -1;
    private INDArray stepXh;     // [B, in + H + 1]: [x ; h ; 1]
    private INDArray stepX;      // [B, in] view
    private INDArray stepH;      // [B, H] view
    private INDArray stepGates;  // [B, 4H]
    private INDArray stepTmp;    // [B, H]
    // infer() scratch, capacity-sized
    private int inferCap;
    private INDArray inferGates; // [cap, 4H]
    private INDArray inferC;     // [cap, H]
    private INDArray inferH;     // [cap, H]

    /** Declares {@code name.wx}, {@code name.wh} uniform(+-1/sqrt(H)) (as PyTorch) and {@code name.b} with forget-gate bias 1. */
    public static void declare(Params.Builder builder, String name, int in, int hidden) {
        double a = 1.0 / Math.sqrt(hidden);
        builder.add(name + ".wx", 4 * in, hidden, Init.uniform(a));
        builder.add(name + ".wh", 4 * hidden, hidden, Init.uniform(a));
        builder.add(name + ".b", 4, hidden, Init.rows(0, 1, 0, 0));
    }

    public Lstm(Params params, String name) {
        INDArray wxAll = params.get(name + ".wx");
        INDArray whAll = params.get(name + ".wh");
        this.hidden = (int) whAll.size(1);
        this.in = (int) (wxAll.size(0) / 4);
        if (wxAll.size(0) != 4L * in || whAll.size(0) != 4L * hidden || wxAll.size(1) != hidden) {
            throw new IllegalArgumentException(name + ": inconsistent LSTM parameter shapes");
        }
        this.type = wxAll.dataType();
        INDArray gwxAll = params.grad(name + ".wx");
        INDArray gwhAll = params.grad(name + ".wh");
        Views.rowBlocks(wxAll, wx);
        Views.rowBlocks(gwxAll, gwx);
        Views.rowBlocks(whAll, wh);
        Views.rowBlocks(gwhAll, gwh);
        this.b = params.get(name + ".b");
        this.gb = params.grad(name + ".b");
        this.halfBias = Nd4j.create(type, 4, hidden);
        this.params = params;
    }

    @Override
    public CellKind kind() {
        return CellKind.LSTM;
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
    public void copyLastState(int rows, INDArray h, INDArray c) {
        Packing p = statePacking;
        if (p == null || rows > p.batchSize(p.steps() - 1)) {
            throw new IllegalStateException("copyLastState: no forward, or " + rows + " rows beyond the last step's");
        }
        int off = p.offset(p.steps() - 1);
        h.assign(Views.rows(hBuf, off, off + rows));
        c.assign(Views.rows(cBuf, off, off + rows));
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

    /**
     * Runs all steps. x [N, in] time-major rows per {@code packing}; h0, c0 [B, H] or null (zeros).
     * Returns h for every row [N, H]: a view of an internal buffer, valid until the next forward.
     */
    @Override
    public INDArray forward(INDArray x, Packing packing, INDArray h0, INDArray c0) {
        int n = packing.rows();
        int batch = packing.batch();
        if (x.size(0) != n || x.size(1) != in) {
            throw new IllegalArgumentException("LSTM input " + x.shapeInfoToString() + " expected [" + n + ", " + in + "]");
        }
        ensureCapacity(n, batch);
        refreshHalfBias();
        INDArray[] z = new INDArray[4];
        for (int k = 0; k < 4; k++) {
            z[k] = Views.rows(zBuf, (long) k * n, (long) (k + 1) * n);        // [N, H]
            Nd4j.gemm(x, wx[k], z[k], false, false, ALPHA[k], 0.0);           // input side, all steps at once
            z[k].addiRowVector(Views.rows(halfBias, k, k + 1));
        }
        INDArray hp0 = Views.rows(hPrevBuf, 0, batch);                       // [B, H]
        if (h0 != null) {
            hp0.assign(h0);
        } else {
            hp0.assign(0);
        }
        INDArray cAll = Views.rows(cBuf, 0, n);
        INDArray tcAll = Views.rows(tcBuf, 0, n);
        INDArray hAll = Views.rows(hBuf, 0, n);
        for (int t = 0; t < packing.steps(); t++) {
            int bs = packing.batchSize(t);
            int off = packing.offset(t);
            INDArray[] gate = new INDArray[4];
            for (int k = 0; k < 4; k++) {
                gate[k] = Views.rows(z[k], off, off + bs);                     // [bs, H]
                if (t > 0 || h0 != null) {
                    Nd4j.gemm(Views.rows(hPrevBuf, off, off + bs), wh[k], gate[k], false, false, ALPHA[k], 1.0);
                }
            }
            for (int k = 0; k < 3; k++) {
                Ops.sigmoidFromHalf(gate[k]);
            }
            Ops.tanhi(gate[G]);
            INDArray c = Views.rows(cAll, off, off + bs);                      // [bs, H]
            INDArray cPrev = previousCell(packing, t, c0);
            if (cPrev != null) {
                INDArray ig = Views.rows(tmpA, 0, bs);
                gate[F].mul(cPrev, c);
                gate[I].mul(gate[G], ig);
                c.addi(ig);
            } else {
                gate[I].mul(gate[G], c);
            }
            INDArray tc = Views.rows(tcAll, off, off + bs);
            Ops.tanh(c, tc);
            INDArray h = Views.rows(hAll, off, off + bs);
            gate[O].mul(tc, h);
            if (t + 1 < packing.steps()) {
                int next = packing.offset(t + 1);
                int nbs = packing.batchSize(t + 1);
                Views.rows(hPrevBuf, next, next + nbs).assign(Views.rows(hAll, off, off + nbs));
            }
        }
        cachedX = x;
        cachedPacking = packing;
        cachedC0 = c0;
        hasH0 = h0 != null;
        statePacking = packing;
        return hAll;
    }

    /** c_{t-1} rows of step t: the first batchSize(t) rows of the previous step (or c0, or null = zeros). */
    private INDArray previousCell(Packing packing, int t, INDArray c0) {
        int bs = packing.batchSize(t);
        if (t == 0) {
            return c0 == null ? null : Views.rows(c0, 0, bs);
        }
        int prev = packing.offset(t - 1);
        return Views.rows(cBuf, prev, prev + bs);
    }

    /**
     * Backpropagates dH [N, H] (gradient on every output row) through the cached forward. Accumulates into the
     * params' gradients; writes dh0/dc0 [B, H] if not null (only meaningful when h0/c0 were given).
     * Returns dX [N, in] (internal buffer view, valid until the next backward) or null when {@code needDx} is false.
     */
    @Override
    public INDArray backward(INDArray dH, INDArray dh0, INDArray dc0, boolean needDx) {
        if (cachedPacking == null) {
            throw new IllegalStateException("backward without a forward");
        }
        Packing packing = cachedPacking;
        int n = packing.rows();
        int batch = packing.batch();
        INDArray[] z = new INDArray[4];
        for (int k = 0; k < 4; k++) {
            z[k] = Views.rows(zBuf, (long) k * n, (long) (k + 1) * n);
        }
        INDArray dhAll = Views.rows(dhBuf, 0, batch);
        INDArray dcAll = Views.rows(dcBuf, 0, batch);
        dhAll.assign(0);
        dcAll.assign(0);
        double[] norms = recordNorms ? new double[packing.steps()] : null;
        for (int t = packing.steps() - 1; t >= 0; t--) {
            int bs = packing.batchSize(t);
            int off = packing.offset(t);
            INDArray dh = Views.rows(dhBuf, 0, bs);                            // [bs, H] carry + output gradient
            INDArray dc = Views.rows(dcBuf, 0, bs);                            // [bs, H] carry
            dh.addi(Views.rows(dH, off, off + bs));
            if (norms != null) {
                norms[t] = dh.norm2Number().doubleValue() / Math.sqrt(bs);
            }
            INDArray gi = Views.rows(z[I], off, off + bs);
            INDArray gf = Views.rows(z[F], off, off + bs);
            INDArray go = Views.rows(z[O], off, off + bs);
            INDArray gg = Views.rows(z[G], off, off + bs);
            INDArray tc = Views.rows(tcBuf, off, off + bs);
            INDArray a = Views.rows(tmpA, 0, bs);
            INDArray bb = Views.rows(tmpB, 0, bs);
            // dc += dh * o * (1 - tanh(c)^2)
            tc.mul(tc, a);
            a.rsubi(1.0).muli(go).muli(dh);
            dc.addi(a);
            // da_o = dh * tanh(c) * o (1 - o)
            go.rsub(1.0, a);
            a.muli(go).muli(tc);
            a.mul(dh, go);
            // da_i = dc * g * i (1 - i);  da_g = dc * i * (1 - g^2)
            gi.rsub(1.0, a);
            a.muli(gi).muli(gg);
            gg.mul(gg, bb);
            bb.rsubi(1.0).muli(gi);
            a.mul(dc, gi);
            bb.mul(dc, gg);
            // da_f = dc * c_{t-1} * f (1 - f);  dc_{t-1} = dc * f
            INDArray cPrev = previousCell(packing, t, cachedC0);
            if (cPrev != null) {
                gf.rsub(1.0, a);
                a.muli(gf).muli(cPrev).muli(dc);
                dc.muli(gf);
                gf.assign(a);
            } else {
                gf.assign(0);
            }
            // dh_{t-1} = sum_k da_k Wh_k^T
            if (t > 0 || hasH0) {
                for (int k = 0; k < 4; k++) {
                    Nd4j.gemm(Views.rows(z[k], off, off + bs), wh[k], dh, false, true, 1.0, k == 0 ? 0.0 : 1.0);
                }
            }
        }
        if (dh0 != null && hasH0) {
            dh0.assign(dhAll);
        }
        if (dc0 != null && cachedC0 != null) {
            dc0.assign(dcAll);
        }
        INDArray hPrev = Views.rows(hPrevBuf, 0, n);
        INDArray ones = Views.head(onesBuf, 1, n);
        INDArray dx = needDx ? Views.rows(dxBuf, 0, n) : null;
        for (int k = 0; k < 4; k++) {
            Nd4j.gemm(cachedX, z[k], gwx[k], true, false, 1.0, 1.0);          // [in, H]
            Nd4j.gemm(hPrev, z[k], gwh[k], true, false, 1.0, 1.0);            // [H, H]
            Nd4j.gemm(ones, z[k], Views.rows(gb, k, k + 1), false, false, 1.0, 1.0); // [1, H]
            if (dx != null) {
                Nd4j.gemm(z[k], wx[k], dx, false, true, 1.0, k == 0 ? 0.0 : 1.0); // [N, in]
            }
        }
        if (norms != null) {
            stepNorms = norms;
        }
        cachedPacking = null; // the gate buffer now holds gradients
        cachedX = null;
        cachedC0 = null;
        return dx;
    }

    /**
     * One step for inference, in place: x [B, in], h [B, H], c [B, H] (c-order); h and c become the new state.
     * One GEMM of [x ; h ; 1] by the fused weights gives all four gates (bias included); one tanh covers
     * them all (the sigmoid gates' 1/2 is folded into the fused weights), then a handful of small ops.
     * Uses scratch preallocated per batch size.
     */
    @Override
    public void step(INDArray x, INDArray h, INDArray c) {
        int batch = (int) x.size(0);
        fusedWeights();
        if (batch != stepBatch) {
            stepXh = Nd4j.create(type, batch, in + hidden + 1);
            stepXh.get(NDArrayIndex.all(), NDArrayIndex.point(in + hidden)).assign(1.0);
            stepX = stepXh.get(NDArrayIndex.all(), NDArrayIndex.interval(0, in));
            stepH = stepXh.get(NDArrayIndex.all(), NDArrayIndex.interval(in, in + hidden));
            stepGates = Nd4j.create(type, batch, 4L * hidden);
            stepTmp = Nd4j.create(type, batch, hidden);
            stepBatch = batch;
        }
        stepX.assign(x);
        stepH.assign(h);
        if (bf16 && batch == 1) {
            Bf16RowProduct p = bf16Weights().stepBf16;
            p.input().assign(stepXh);
            p.multiplyInput(stepGates);                                        // [1, 4H]
        } else {
            Nd4j.gemm(stepXh, fused, stepGates, false, false, 1.0, 0.0);     // [B, 4H]
        }
        cell(stepGates, c, c, stepTmp, h);
    }

    /**
     * The input side of {@link #step} for rows x [N, in]: x [alpha Wx] as [N, 4H] rows in the layout
     * {@link #stepFromInputProducts} takes (alpha-scaled, bias not included). A decoder whose inputs are
     * rows of a fixed table (word embeddings) computes this once for the whole table: a step then reads a
     * [1, 4H] row instead of the [in, 4H] weights, which at batch 1 is what the step costs (memory-bound).
     */
    @Override
    public INDArray inputProducts(INDArray x) {
        if (x.rank() != 2 || x.size(1) != in) {
            throw new IllegalArgumentException("inputProducts: x must be [N, " + in + "]");
        }
        fusedWeights();
        INDArray out = Nd4j.create(type, x.size(0), 4L * hidden);
        Nd4j.gemm(x, fusedWx, out, false, false, 1.0, 0.0);                   // [N, 4H]
        return out;
    }

    /**
     * One float step for a single row whose input products are row {@code row} of {@code table} (from
     * {@link #inputProducts}): one GEMM for the recurrent side, the cell in Java. At batch 1 the ~9 ND4J calls
     * of the cell and the row gather cost more in call overhead (~7 us each) than the arithmetic on 2048
     * values; plain loops over bulk copies take ~20 us. h [1, H] and c [1, H] (c-order, contiguous) become the
     * new state. Equal to {@link #stepFromInputProducts} up to float rounding.
     */
    @Override
    public void stepFromTableRow(INDArray table, int row, INDArray h, INDArray c) {
        int g4 = 4 * hidden;
        if (type != DataType.FLOAT || h.size(0) != 1 || table.size(1) != g4 || row < 0 || row >= table.size(0)) {
            throw new IllegalArgumentException("stepFromTableRow: float, one row, a [V, " + g4 + "] table");
        }
        fusedWeights();
        ensureH1(1);
        if (rowGates == null) {
            rowGates = Nd4j.create(type, 1, g4);
            rowIn = new float[g4];
            rowRec = new float[g4];
            rowC = new float[hidden];
            rowH = new float[hidden];
        }
        get(h, 0, rowH);
        if (bf16) {
            Bf16RowProduct p = bf16Weights().recBf16;
            System.arraycopy(rowH, 0, rowH1, 0, hidden);
            p.multiply(rowH1, rowRec);                                         // [h ; 1] [alpha Wh ; alpha b]
        } else {
            put(h1, 0, rowH);
            Nd4j.gemm(h1, fusedWhB, rowGates, false, false, 1.0, 0.0);         // [h ; 1] [alpha Wh ; alpha b]
            get(rowGates, 0, rowRec);
        }
        get(table, (long) row * g4, rowIn);
        get(c, 0, rowC);
        for (int j = 0; j < hidden; j++) {
            double i = 0.5 * tanh(rowIn[j] + rowRec[j]) + 0.5;                  // alpha 1/2 folded in: sigmoid
            double f = 0.5 * tanh(rowIn[hidden + j] + rowRec[hidden + j]) + 0.5;
            double o = 0.5 * tanh(rowIn[2 * hidden + j] + rowRec[2 * hidden + j]) + 0.5;
            double g = tanh(rowIn[3 * hidden + j] + rowRec[3 * hidden + j]);
            float cj = (float) (f * rowC[j] + i * g);
            rowC[j] = cj;
            rowH[j] = (float) (o * tanh(cj));
        }
        put(c, 0, rowC);
        put(h, 0, rowH);
    }

    /** The [h ; 1] scratch of the recurrent-side GEMM for this batch size (the 1 column carries the bias). */
    private void ensureH1(int batch) {
        if (batch != h1Batch) {
            h1 = Nd4j.create(type, batch, hidden + 1);
            h1.get(NDArrayIndex.all(), NDArrayIndex.point(hidden)).assign(1.0);
            h1H = h1.get(NDArrayIndex.all(), NDArrayIndex.interval(0, hidden));
            h1Batch = batch;
        }
    }

    /** tanh through the exp intrinsic (Math.tanh is not one): exact to double rounding, saturates cleanly. */
    private static double tanh(double x) {
        if (x > 20) {
            return 1.0;
        }
        if (x < -20) {
            return -1.0;
        }
        if (Math.abs(x) < 1e-4) {
            return x - x * x * x / 3;                                          // avoids cancellation near 0
        }
        double e = Math.exp(2 * x);
        return (e - 1) / (e + 1);
    }

    private static void get(INDArray a, long offset, float[] out) {
        java.nio.FloatBuffer b = a.data().asNioFloat();
        b.position((int) (a.offset() + offset)); // the buffer view starts at the allocation; offset() is absolute
        b.get(out);
    }

    private static void put(INDArray a, long offset, float[] in) {
        java.nio.FloatBuffer b = a.data().asNioFloat();
        b.position((int) (a.offset() + offset)); // the buffer view starts at the allocation; offset() is absolute
        b.put(in);
    }

    /**
     * {@link #step} for inputs given as rows of {@link #inputProducts}: gates [B, 4H] holds those rows on entry
     * and is overwritten; h [B, H] and c [B, H] become the new state. Equal to {@code step(x, h, c)} up to
     * float rounding.
     */
    @Override
    public void stepFromInputProducts(INDArray gates, INDArray h, INDArray c) {
        int batch = (int) h.size(0);
        if (gates.rank() != 2 || gates.size(0) != batch || gates.size(1) != 4L * hidden) {
            throw new IllegalArgumentException("stepFromInputProducts: gates must be [" + batch + ", " + 4 * hidden + "]");
        }
        fusedWeights();
        ensureH1(batch);
        h1H.assign(h);
        Nd4j.gemm(h1, fusedWhB, gates, false, false, 1.0, 1.0);               // += [h ; 1] [alpha Wh ; alpha b]
        cell(gates, c, c, Views.rows(stepScratch(batch), 0, batch), h);
    }

    /**
     * Forward for inference only (no backward cache; the training buffers stay untouched): x [N, in]
     * time-major rows per {@code packing}, zero initial state. Returns h for every row [N, H], a view of an
     * internal buffer valid until the next call. Same results as {@link #forward} up to float rounding; per
     * step one recurrent GEMM into the [bs, 4H] gate rows and ~8 small ops, so it suits small batches (the
     * gate columns are strided views, which {@link #forward} avoids for large ones).
     */
    @Override
    public INDArray infer(INDArray x, Packing packing) {
        int n = packing.rows();
        if (x.size(0) != n || x.size(1) != in) {
            throw new IllegalArgumentException("LSTM input " + x.shapeInfoToString() + " expected [" + n + ", " + in + "]");
        }
        fusedWeights();
        if (n > inferCap) {
            int cap = Math.max(n, inferCap + inferCap / 4);
            inferGates = Nd4j.create(type, cap, 4L * hidden);
            inferC = Nd4j.create(type, cap, hidden);
            inferH = Nd4j.create(type, cap, hidden);
            inferCap = cap;
        }
        INDArray gates = Views.rows(inferGates, 0, n);                         // [N, 4H]
        Nd4j.gemm(x, fusedWx, gates, false, false, 1.0, 0.0);                  // input side, all steps at once
        gates.addiRowVector(fusedB);
        INDArray tc = stepScratch(packing.batch());
        for (int t = 0; t < packing.steps(); t++) {
            int bs = packing.batchSize(t);
            int off = packing.offset(t);
            INDArray g = Views.rows(gates, off, off + bs);                     // [bs, 4H]
            INDArray c = Views.rows(inferC, off, off + bs);                    // [bs, H]
            INDArray cPrev = null;
            if (t > 0) {
                int prev = packing.offset(t - 1);                              // rows still running come first
                Nd4j.gemm(Views.rows(inferH, prev, prev + bs), fusedWh, g, false, false, 1.0, 1.0);
                cPrev = Views.rows(inferC, prev, prev + bs);
            }
            cell(g, cPrev, c, Views.rows(tc, 0, bs), Views.rows(inferH, off, off + bs));
        }
        return Views.rows(inferH, 0, n);
    }

    /** [B, H] scratch for infer(), sharing step()'s buffer when it is large enough. */
    private INDArray stepScratch(int batch) {
        if (stepTmp == null || stepTmp.size(0) < batch) {
            stepTmp = Nd4j.create(type, batch, hidden);
            stepBatch = -1; // step() reallocates its own set on next use
        }
        return stepTmp;
    }

    /**
     * The cell on fused gate pre-activations z [B, 4H] (alpha-scaled, bias included): z becomes the
     * activations, c = f * cPrev + i * g (cPrev null = zeros; may be c itself), h = o * tanh(c).
     */
    private void cell(INDArray z, INDArray cPrev, INDArray c, INDArray tmp, INDArray h) {
        Ops.tanhi(z);                                                          // [B, 4H] tanh(a/2) | tanh(a_g)
        z.muliRowVector(gateScale).addiRowVector(gateShift);                   // sigmoid for i, f, o
        INDArray gi = gateColumns(z, I);                                       // [B, H] views
        INDArray gf = gateColumns(z, F);
        INDArray go = gateColumns(z, O);
        INDArray gg = gateColumns(z, G);
        gi.muli(gg);
        if (cPrev == null) {
            c.assign(gi);
        } else {
            gf.mul(cPrev, c);
            c.addi(gi);
        }
        Ops.tanh(c, tmp);
        go.mul(tmp, h);
    }

    /** Columns of gate k of a contiguous [B, 4H] array as a [B, H] view (row stride 4H). */
    private INDArray gateColumns(INDArray z, int k) {
        long rows = z.size(0);
        long hd = hidden;
        return Nd4j.create(z.data(), new long[] {rows, hd}, new long[] {4 * hd, 1}, z.offset() + k * hd, 'c', type);
    }

    /** Builds (or rebuilds after a parameter change) the fused inference weights. */
    @Override
    public void decodeInBf16(boolean on) {
        bf16 = on && type == DataType.FLOAT;
    }

    /** The bfloat16 copies of the fused weights, taken again when the parameters moved. */
    private Lstm bf16Weights() {
        fusedWeights();
        if (bf16Version != fusedVersion) {
            int g4 = 4 * hidden;
            if (recBf16 == null) {
                recBf16 = new Bf16RowProduct(hidden + 1, g4);
                stepBf16 = new Bf16RowProduct(in + hidden + 1, g4);
                rowH1 = new float[hidden + 1];
                rowH1[hidden] = 1f;
            }
            recBf16.load(0, fusedWhB);
            stepBf16.load(0, fused);
            bf16Version = fusedVersion;
        }
        return this;
    }

    private void fusedWeights() {
        if (fused != null && fusedVersion == params.version()) {
            return;
        }
        long hd = hidden;
        if (fused == null) {
            fused = Nd4j.create(type, in + hd + 1, 4 * hd);
            fusedWx = Views.rows(fused, 0, in);
            fusedWh = Views.rows(fused, in, in + hd);
            fusedB = Views.rows(fused, in + hd, in + hd + 1);
            fusedWhB = Views.rows(fused, in, in + hd + 1);
            gateScale = Nd4j.create(type, 1, 4 * hd);
            gateShift = Nd4j.create(type, 1, 4 * hd);
            for (int k = 0; k < 4; k++) {
                gateScale.get(NDArrayIndex.all(), NDArrayIndex.interval(k * hd, (k + 1) * hd)).assign(ALPHA[k]);
                gateShift.get(NDArrayIndex.all(), NDArrayIndex.interval(k * hd, (k + 1) * hd)).assign(k == G ? 0.0 : 0.5);
            }
        }
        for (int k = 0; k < 4; k++) {
            var cols = NDArrayIndex.interval(k * hd, (k + 1) * hd);
            fusedWx.get(NDArrayIndex.all(), cols).assign(wx[k]).muli(ALPHA[k]);
            fusedWh.get(NDArrayIndex.all(), cols).assign(wh[k]).muli(ALPHA[k]);
            fusedB.get(NDArrayIndex.all(), cols).assign(Views.rows(b, k, k + 1)).muli(ALPHA[k]);
        }
        fusedVersion = params.version();
    }

    private void refreshHalfBias() {
        halfBias.assign(b);
        Views.rows(halfBias, 0, 3).muli(0.5);
    }

    private void ensureCapacity(int rows, int batch) {
        if (rows > capRows) {
            int cap = Math.max(rows, capRows + capRows / 4);
            zBuf = Nd4j.create(type, 4L * cap, hidden);
            cBuf = Nd4j.create(type, cap, hidden);
            tcBuf = Nd4j.create(type, cap, hidden);
            hBuf = Nd4j.create(type, cap, hidden);
            hPrevBuf = Nd4j.create(type, cap, hidden);
            dxBuf = Nd4j.create(type, cap, in);
            onesBuf = Nd4j.ones(type, 1, cap);
            capRows = cap;
        }
        if (batch > capBatch) {
            dhBuf = Nd4j.create(type, batch, hidden);
            dcBuf = Nd4j.create(type, batch, hidden);
            tmpA = Nd4j.create(type, batch, hidden);
            tmpB = Nd4j.create(type, batch, hidden);
            capBatch = batch;
        }
    }
}

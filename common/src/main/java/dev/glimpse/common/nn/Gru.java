package dev.glimpse.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One GRU layer over time-major rows (row {@code offset(t) + b}, see {@link Packing}), in PyTorch's and cuDNN's
 * form: the reset gate multiplies the recurrent product including its bias, {@code r * (W_hn h + b_hn)}, not
 * h before the product (the form of Cho et al. 2014 / Keras {@code reset_after=False}). Gates k = r, z, n (0..2):
 * <pre>
 *   r = sigmoid(x Wx_r + h_{t-1} Wh_r + b_r)
 *   z = sigmoid(x Wx_z + h_{t-1} Wh_z + b_z)
 *   n = tanh(x Wx_n + b_xn + r * (h_{t-1} Wh_n + b_hn))
 *   h_t = (1 - z) * n + z * h_{t-1}
 * </pre>
 * Parameters (views into a {@link Params}): {@code name.wx} [3*in, H] (gate k = rows k*in..), {@code name.wh}
 * [3*H, H], {@code name.b} [4, H] with rows b_r, b_z, b_xn, b_hn (PyTorch's b_ir + b_hr and b_iz + b_hz are one
 * row each here: only their sum matters). As in {@link Lstm}, each gate has its own contiguous block, and
 * sigmoid(a) = 0.5 tanh(a/2) + 0.5 with the 1/2 folded into the GEMM alpha.
 *
 * <p>Training: {@link #forward} computes the input side of all steps in 3 GEMMs, then per step the 3 recurrent
 * GEMMs (r and z accumulate with beta = 1; W_hn h + b_hn goes to its own cached rows) and the cell.
 * Inference: a fused copy [alpha Wx] [in, 3H] (columns r | z | n) for the input side, and per gate
 * [alpha Wh_k ; bias] [H + 1, H] for the recurrent side, so the cell's elementwise work runs on contiguous
 * [B, H] arrays (batch 1 in float: one [H + 1, 3H] product and the cell in Java). The x side of n and the
 * h side of n stay apart, as r multiplies only the latter; the per-word input table ({@link #inputProducts})
 * carries x Wx_n + b_xn in its n block. Not thread-safe.
 */
public final class Gru implements RecurrentLayer {
    private static final int R = 0;
    private static final int Z = 1;
    private static final int N = 2;
    private static final double[] ALPHA = {0.5, 0.5, 1.0};

    private final int in;
    private final int hidden;
    private final DataType type;
    private final Params params;
    private final INDArray b;     // [4, H]: b_r, b_z, b_xn, b_hn
    private final INDArray gb;
    private final INDArray[] wx = new INDArray[3];  // [in, H] each
    private final INDArray[] wh = new INDArray[3];  // [H, H] each
    private final INDArray[] gwx = new INDArray[3];
    private final INDArray[] gwh = new INDArray[3];
    private final INDArray scaledBias; // [3, H]: alpha * (b_r, b_z, b_xn)

    // Training cache, capacity-sized.
    private int capRows;
    private int capBatch;
    private INDArray zBuf;     // [3*capRows, H]: r, z (half pre-activations -> activations -> gradients), n
    private INDArray hnBuf;    // [capRows, H]: h_{t-1} Wh_n + b_hn -> its gradient
    private INDArray hBuf;     // [capRows, H]
    private INDArray hPrevBuf; // [capRows, H]
    private INDArray dxBuf;    // [capRows, in]
    private INDArray onesBuf;  // [1, capRows]
    private INDArray dhBuf;    // [capBatch, H]
    private INDArray tmpA;
    private INDArray tmpB;
    private INDArray tmpC;
    private INDArray cachedX;
    private Packing cachedPacking;
    private boolean hasH0;
    private Packing statePacking;
    private boolean recordNorms;
    private double[] stepNorms;

    // Inference
    private long fusedVersion = -1;
    private INDArray fusedWx;   // [in, 3H]: alpha Wx, no bias
    private INDArray fusedWhB;  // [H + 1, 3H]: [alpha Wh_r | alpha Wh_z | Wh_n ; alpha b_r | alpha b_z | b_hn]
    private INDArray fusedXB;   // [1, 3H]: alpha b_r | alpha b_z | b_xn (input-side bias)
    private int scratchBatch = -1;
    private INDArray h1;        // [B, H + 1]: [h ; 1]
    private INDArray h1H;
    private INDArray rec;       // [B, 3H]: recurrent side
    private INDArray xg;        // [B, 3H]: input side (step())
    private INDArray tmp;       // [B, H]
    private INDArray rz;        // [2B, H]: r rows then z rows (one tanh for both)
    private INDArray aR;        // [B, H] view
    private INDArray aZ;        // [B, H] view
    private INDArray aN;        // [B, H]
    private INDArray hn;        // [B, H]: h Wh_n + b_hn
    private INDArray whR1;      // [H + 1, H]: [alpha Wh_r ; 0]
    private INDArray whZ1;      // [H + 1, H]: [alpha Wh_z ; 0]
    private INDArray whN1;      // [H + 1, H]: [Wh_n ; b_hn]
    private int inferCap;
    private INDArray inferX;    // [cap, 3H]
    private INDArray inferH;    // [cap, H]
    private float[] rowIn;      // stepFromTableRow() scratch
    private float[] rowRec;
    private float[] rowH;
    private boolean bf16;              // decodeInBf16(): the table-row step through a bfloat16 copy
    private Bf16RowProduct recBf16;    // [H + 1, 3H]: fusedWhB
    private long bf16Version = -1;
    private float[] rowH1;             // [H + 1]: [h ; 1]

    /** Declares {@code name.wx}, {@code name.wh} uniform(+-1/sqrt(H)) (as PyTorch) and {@code name.b} zeros. */
    public static void declare(Params.Builder builder, String name, int in, int hidden) {
        double a = 1.0 / Math.sqrt(hidden);
        builder.add(name + ".wx", 3 * in, hidden, Init.uniform(a));
        builder.add(name + ".wh", 3 * hidden, hidden, Init.uniform(a));
        builder.add(name + ".b", 4, hidden, Init.zeros());
    }

    public Gru(Params params, String name) {
        INDArray wxAll = params.get(name + ".wx");
        INDArray whAll = params.get(name + ".wh");
        this.hidden = (int) whAll.size(1);
        this.in = (int) (wxAll.size(0) / 3);
        this.b = params.get(name + ".b");
        if (wxAll.size(0) != 3L * in || whAll.size(0) != 3L * hidden || wxAll.size(1) != hidden
                || b.size(0) != 4 || b.size(1) != hidden) {
            throw new IllegalArgumentException(name + ": inconsistent GRU parameter shapes");
        }
        this.type = wxAll.dataType();
        INDArray gwxAll = params.grad(name + ".wx");
        INDArray gwhAll = params.grad(name + ".wh");
        Views.rowBlocks(wxAll, wx);
        Views.rowBlocks(gwxAll, gwx);
        Views.rowBlocks(whAll, wh);
        Views.rowBlocks(gwhAll, gwh);
        this.gb = params.grad(name + ".b");
        this.scaledBias = Nd4j.create(type, 3, hidden);
        this.params = params;
    }

    @Override
    public CellKind kind() {
        return CellKind.GRU;
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
            throw new IllegalArgumentException("GRU input " + x.shapeInfoToString() + " expected [" + n + ", " + in + "]");
        }
        ensureCapacity(n, batch);
        for (int k = 0; k < 3; k++) {
            Views.rows(scaledBias, k, k + 1).assign(Views.rows(b, k, k + 1)).muli(ALPHA[k]);
        }
        INDArray bhn = Views.rows(b, 3, 4);                                     // [1, H]
        INDArray[] z = blocks(n);
        for (int k = 0; k < 3; k++) {
            Nd4j.gemm(x, wx[k], z[k], false, false, ALPHA[k], 0.0);            // input side, all steps at once
            z[k].addiRowVector(Views.rows(scaledBias, k, k + 1));
        }
        INDArray hp0 = Views.rows(hPrevBuf, 0, batch);                        // [B, H]
        if (h0 != null) {
            hp0.assign(h0);
        } else {
            hp0.assign(0);
        }
        INDArray hAll = Views.rows(hBuf, 0, n);
        for (int t = 0; t < packing.steps(); t++) {
            int bs = packing.batchSize(t);
            int off = packing.offset(t);
            INDArray hPrev = Views.rows(hPrevBuf, off, off + bs);              // [bs, H]
            INDArray r = Views.rows(z[R], off, off + bs);
            INDArray u = Views.rows(z[Z], off, off + bs);
            INDArray nn = Views.rows(z[N], off, off + bs);
            INDArray hn = Views.rows(hnBuf, off, off + bs);
            hn.assign(0).addiRowVector(bhn);
            if (t > 0 || h0 != null) {
                Nd4j.gemm(hPrev, wh[R], r, false, false, ALPHA[R], 1.0);
                Nd4j.gemm(hPrev, wh[Z], u, false, false, ALPHA[Z], 1.0);
                Nd4j.gemm(hPrev, wh[N], hn, false, false, 1.0, 1.0);
            }
            Ops.sigmoidFromHalf(r);
            Ops.sigmoidFromHalf(u);
            INDArray a = Views.rows(tmpA, 0, bs);
            r.mul(hn, a);
            nn.addi(a);
            Ops.tanhi(nn);                                                     // n
            INDArray h = Views.rows(hAll, off, off + bs);
            hPrev.sub(nn, a);                                                  // h = n + z (h_{t-1} - n)
            a.muli(u);
            nn.add(a, h);
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
        return hAll;
    }

    private INDArray[] blocks(int n) {
        INDArray[] z = new INDArray[3];
        for (int k = 0; k < 3; k++) {
            z[k] = Views.rows(zBuf, (long) k * n, (long) (k + 1) * n);         // [N, H]
        }
        return z;
    }

    @Override
    public INDArray backward(INDArray dH, INDArray dh0, INDArray dc0, boolean needDx) {
        if (cachedPacking == null) {
            throw new IllegalStateException("backward without a forward");
        }
        Packing packing = cachedPacking;
        int n = packing.rows();
        int batch = packing.batch();
        INDArray[] z = blocks(n);
        INDArray dhAll = Views.rows(dhBuf, 0, batch);
        dhAll.assign(0);
        double[] norms = recordNorms ? new double[packing.steps()] : null;
        for (int t = packing.steps() - 1; t >= 0; t--) {
            int bs = packing.batchSize(t);
            int off = packing.offset(t);
            INDArray dh = Views.rows(dhBuf, 0, bs);                            // [bs, H]
            dh.addi(Views.rows(dH, off, off + bs));
            if (norms != null) {
                norms[t] = dh.norm2Number().doubleValue() / Math.sqrt(bs);
            }
            INDArray r = Views.rows(z[R], off, off + bs);
            INDArray u = Views.rows(z[Z], off, off + bs);
            INDArray nn = Views.rows(z[N], off, off + bs);
            INDArray hn = Views.rows(hnBuf, off, off + bs);
            INDArray hPrev = Views.rows(hPrevBuf, off, off + bs);
            INDArray a = Views.rows(tmpA, 0, bs);
            INDArray bb = Views.rows(tmpB, 0, bs);
            INDArray c = Views.rows(tmpC, 0, bs);
            // da_z = dh * (h_{t-1} - n) * z (1 - z)
            hPrev.sub(nn, a);
            u.rsub(1.0, bb);
            bb.muli(u).muli(a).muli(dh);
            // da_n = dh * (1 - z) * (1 - n^2)
            u.rsub(1.0, a);
            a.muli(dh);
            nn.mul(nn, c);
            c.rsubi(1.0).muli(a);
            // dr = da_n * hn;  d(hn) = da_n * r;  da_r = dr * r (1 - r)
            c.mul(hn, a);
            nn.assign(c);
            r.mul(c, hn);
            r.rsub(1.0, c);
            c.muli(r).muli(a);
            r.assign(c);
            // dh_{t-1} = dh * z + da_r Wh_r^T + da_z Wh_z^T + d(hn) Wh_n^T
            dh.muli(u);
            u.assign(bb);
            if (t > 0 || hasH0) {
                Nd4j.gemm(r, wh[R], dh, false, true, 1.0, 1.0);
                Nd4j.gemm(u, wh[Z], dh, false, true, 1.0, 1.0);
                Nd4j.gemm(hn, wh[N], dh, false, true, 1.0, 1.0);
            }
        }
        if (dh0 != null && hasH0) {
            dh0.assign(dhAll);
        }
        INDArray hPrev = Views.rows(hPrevBuf, 0, n);
        INDArray dHn = Views.rows(hnBuf, 0, n);
        INDArray ones = Views.head(onesBuf, 1, n);
        INDArray dx = needDx ? Views.rows(dxBuf, 0, n) : null;
        for (int k = 0; k < 3; k++) {
            Nd4j.gemm(cachedX, z[k], gwx[k], true, false, 1.0, 1.0);          // [in, H]
            Nd4j.gemm(hPrev, k == N ? dHn : z[k], gwh[k], true, false, 1.0, 1.0); // [H, H]
            Nd4j.gemm(ones, z[k], Views.rows(gb, k, k + 1), false, false, 1.0, 1.0); // [1, H]
            if (dx != null) {
                Nd4j.gemm(z[k], wx[k], dx, false, true, 1.0, k == 0 ? 0.0 : 1.0); // [N, in]
            }
        }
        Nd4j.gemm(ones, dHn, Views.rows(gb, 3, 4), false, false, 1.0, 1.0);    // b_hn
        if (norms != null) {
            stepNorms = norms;
        }
        cachedPacking = null;
        cachedX = null;
        return dx;
    }

    @Override
    public void copyLastState(int rows, INDArray h, INDArray c) {
        Packing p = statePacking;
        if (p == null || rows > p.batchSize(p.steps() - 1)) {
            throw new IllegalStateException("copyLastState: no forward, or " + rows + " rows beyond the last step's");
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

    // ---------------------------------------------------------------- inference

    @Override
    public void step(INDArray x, INDArray h, INDArray c) {
        int batch = (int) x.size(0);
        fusedWeights();
        ensureScratch(batch);
        Nd4j.gemm(x.dataType() == type ? x : x.castTo(type), fusedWx, xg, false, false, 1.0, 0.0); // [B, 3H]
        xg.addiRowVector(fusedXB);
        cell(xg, h);
    }

    @Override
    public INDArray inputProducts(INDArray x) {
        if (x.rank() != 2 || x.size(1) != in) {
            throw new IllegalArgumentException("inputProducts: x must be [N, " + in + "]");
        }
        fusedWeights();
        INDArray out = Nd4j.create(type, x.size(0), 3L * hidden);
        Nd4j.gemm(x, fusedWx, out, false, false, 1.0, 0.0);                    // [N, 3H]
        out.addiRowVector(fusedXB);                                            // the x-side bias: b_hn is in the h side
        return out;
    }

    @Override
    public void stepFromInputProducts(INDArray gates, INDArray h, INDArray c) {
        int batch = (int) h.size(0);
        if (gates.rank() != 2 || gates.size(0) != batch || gates.size(1) != 3L * hidden) {
            throw new IllegalArgumentException("stepFromInputProducts: gates must be [" + batch + ", " + 3 * hidden + "]");
        }
        fusedWeights();
        ensureScratch(batch);
        cell(gates, h);
    }

    /**
     * Batch 1 in float: one GEMM for the recurrent side, the cell in Java over bulk copies (the ~10 ND4J calls of
     * {@link #stepFromInputProducts} cost more in call overhead than the arithmetic on 3H values). Equal to it up
     * to float rounding.
     */
    @Override
    public void stepFromTableRow(INDArray table, int row, INDArray h, INDArray c) {
        int g3 = 3 * hidden;
        if (h.size(0) != 1 || table.size(1) != g3 || row < 0 || row >= table.size(0)) {
            throw new IllegalArgumentException("stepFromTableRow: one row, a [V, " + g3 + "] table");
        }
        fusedWeights();
        ensureScratch(1);
        if (type != DataType.FLOAT || h.ordering() != 'c' || h.length() != hidden) {
            xg.assign(Views.rows(table, row, row + 1));
            cell(xg, h);
            return;
        }
        if (rowIn == null) {
            rowIn = new float[g3];
            rowRec = new float[g3];
            rowH = new float[hidden];
        }
        FloatRows.get(h, 0, rowH);
        if (bf16) {
            Bf16RowProduct p = recBf16();
            System.arraycopy(rowH, 0, rowH1, 0, hidden);
            p.multiply(rowH1, rowRec);                                         // [h ; 1] [alpha Wh ; alpha b]
        } else {
            h1H.assign(h);
            Nd4j.gemm(h1, fusedWhB, rec, false, false, 1.0, 0.0);             // [h ; 1] [alpha Wh ; alpha b]
            FloatRows.get(rec, 0, rowRec);
        }
        FloatRows.get(table, (long) row * g3, rowIn);
        for (int j = 0; j < hidden; j++) {
            double r = 0.5 * FloatRows.tanh(rowIn[j] + rowRec[j]) + 0.5;       // alpha 1/2 folded in: sigmoid
            double z = 0.5 * FloatRows.tanh(rowIn[hidden + j] + rowRec[hidden + j]) + 0.5;
            double n = FloatRows.tanh(rowIn[2 * hidden + j] + r * rowRec[2 * hidden + j]);
            rowH[j] = (float) (n + z * (rowH[j] - n));
        }
        FloatRows.put(h, 0, rowH);
    }

    /**
     * The cell on the input side g [B, 3H] (alpha-scaled r and z, bias included; left unchanged): its three
     * column blocks are copied into contiguous [B, H] arrays first (elementwise work on column views costs
     * ~10x), the recurrent side accumulates onto them by one GEMM per gate, then h := (1 - z) n + z h.
     */
    private void cell(INDArray g, INDArray h) {
        int batch = (int) h.size(0);
        aR.assign(columns(g, R, batch));
        aZ.assign(columns(g, Z, batch));
        aN.assign(columns(g, N, batch));
        h1H.assign(h);
        Nd4j.gemm(h1, whR1, aR, false, false, 1.0, 1.0);                      // += alpha h Wh_r
        Nd4j.gemm(h1, whZ1, aZ, false, false, 1.0, 1.0);                      // += alpha h Wh_z
        Nd4j.gemm(h1, whN1, hn, false, false, 1.0, 0.0);                      // h Wh_n + b_hn
        Ops.tanhi(rz);                                                         // [2B, H]: r and z rows
        rz.muli(0.5).addi(0.5);
        hn.muli(aR);
        aN.addi(hn);
        Ops.tanhi(aN);                                                         // n
        h.sub(aN, tmp);                                                        // h = n + z (h - n)
        tmp.muli(aZ);
        aN.add(tmp, h);
    }

    /** Columns of block k of a contiguous [B, 3H] array as a [B, H] view. */
    private INDArray columns(INDArray a, int k, int rows) {
        long hd = hidden;
        return Nd4j.create(a.data(), new long[] {rows, hd}, new long[] {3 * hd, 1}, a.offset() + k * hd, 'c', type);
    }

    @Override
    public INDArray infer(INDArray x, Packing packing) {
        int n = packing.rows();
        if (x.size(0) != n || x.size(1) != in) {
            throw new IllegalArgumentException("GRU input " + x.shapeInfoToString() + " expected [" + n + ", " + in + "]");
        }
        fusedWeights();
        if (n > inferCap) {
            int cap = Math.max(n, inferCap + inferCap / 4);
            inferX = Nd4j.create(type, cap, 3L * hidden);
            inferH = Nd4j.create(type, cap, hidden);
            inferCap = cap;
        }
        INDArray gates = Views.rows(inferX, 0, n);                            // [N, 3H]
        Nd4j.gemm(x, fusedWx, gates, false, false, 1.0, 0.0);                  // input side, all steps at once
        gates.addiRowVector(fusedXB);
        INDArray hState = Nd4j.create(type, packing.batch(), hidden);         // [B, H] zeros
        for (int t = 0; t < packing.steps(); t++) {
            int bs = packing.batchSize(t);
            int off = packing.offset(t);
            INDArray hs = Views.rows(hState, 0, bs);
            ensureScratch(bs);
            cell(Views.rows(gates, off, off + bs), hs);
            Views.rows(inferH, off, off + bs).assign(hs);
        }
        return Views.rows(inferH, 0, n);
    }

    private void ensureScratch(int batch) {
        if (batch != scratchBatch) {
            h1 = Nd4j.create(type, batch, hidden + 1);
            h1.get(NDArrayIndex.all(), NDArrayIndex.point(hidden)).assign(1.0);
            h1H = h1.get(NDArrayIndex.all(), NDArrayIndex.interval(0, hidden));
            rec = Nd4j.create(type, batch, 3L * hidden);
            xg = Nd4j.create(type, batch, 3L * hidden);
            rz = Nd4j.create(type, 2L * batch, hidden);
            aR = Views.rows(rz, 0, batch);
            aZ = Views.rows(rz, batch, 2L * batch);
            aN = Nd4j.create(type, batch, hidden);
            hn = Nd4j.create(type, batch, hidden);
            tmp = Nd4j.create(type, batch, hidden);
            scratchBatch = batch;
        }
    }

    /** Builds (or rebuilds after a parameter change) the fused inference weights. */
    /** Only the table-row step (the batch-1 path of a decoder with a word table) uses it. */
    @Override
    public void decodeInBf16(boolean on) {
        bf16 = on && type == DataType.FLOAT;
    }

    private Bf16RowProduct recBf16() {
        fusedWeights();
        if (recBf16 == null) {
            recBf16 = new Bf16RowProduct(hidden + 1, 3 * hidden);
            rowH1 = new float[hidden + 1];
            rowH1[hidden] = 1f;
        }
        if (bf16Version != fusedVersion) {
            recBf16.load(0, fusedWhB);
            bf16Version = fusedVersion;
        }
        return recBf16;
    }

    private void fusedWeights() {
        if (fusedWx != null && fusedVersion == params.version()) {
            return;
        }
        long hd = hidden;
        if (fusedWx == null) {
            fusedWx = Nd4j.create(type, in, 3 * hd);
            fusedWhB = Nd4j.create(type, hd + 1, 3 * hd);
            fusedXB = Nd4j.create(type, 1, 3 * hd);
        }
        INDArray fusedWh = Views.rows(fusedWhB, 0, hd);
        INDArray fusedHB = Views.rows(fusedWhB, hd, hd + 1);
        if (whR1 == null) {
            whR1 = Nd4j.create(type, hd + 1, hd);                              // last row 0: r's bias is on the x side
            whZ1 = Nd4j.create(type, hd + 1, hd);
            whN1 = Nd4j.create(type, hd + 1, hd);
        }
        Views.rows(whR1, 0, hd).assign(wh[R]).muli(ALPHA[R]);
        Views.rows(whZ1, 0, hd).assign(wh[Z]).muli(ALPHA[Z]);
        Views.rows(whN1, 0, hd).assign(wh[N]);
        Views.rows(whN1, hd, hd + 1).assign(Views.rows(b, 3, 4));
        for (int k = 0; k < 3; k++) {
            var cols = NDArrayIndex.interval(k * hd, (k + 1) * hd);
            fusedWx.get(NDArrayIndex.all(), cols).assign(wx[k]).muli(ALPHA[k]);
            fusedWh.get(NDArrayIndex.all(), cols).assign(wh[k]).muli(ALPHA[k]);
            fusedXB.get(NDArrayIndex.all(), cols).assign(Views.rows(b, k, k + 1)).muli(ALPHA[k]);
            fusedHB.get(NDArrayIndex.all(), cols).assign(k == N ? Views.rows(b, 3, 4) : Nd4j.zeros(type, 1, hd));
        }
        fusedVersion = params.version();
    }

    private void ensureCapacity(int rows, int batch) {
        if (rows > capRows) {
            int cap = Math.max(rows, capRows + capRows / 4);
            zBuf = Nd4j.create(type, 3L * cap, hidden);
            hnBuf = Nd4j.create(type, cap, hidden);
            hBuf = Nd4j.create(type, cap, hidden);
            hPrevBuf = Nd4j.create(type, cap, hidden);
            dxBuf = Nd4j.create(type, cap, in);
            onesBuf = Nd4j.ones(type, 1, cap);
            capRows = cap;
        }
        if (batch > capBatch) {
            dhBuf = Nd4j.create(type, batch, hidden);
            tmpA = Nd4j.create(type, batch, hidden);
            tmpB = Nd4j.create(type, batch, hidden);
            tmpC = Nd4j.create(type, batch, hidden);
            capBatch = batch;
        }
    }
}

package dev.glimpse.common.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Single-head scaled dot-product attention of queries over a set of memory vectors (image regions),
 * with learned projections and no biases (a key bias cancels in the softmax, a value bias is an
 * output bias):
 *
 * <pre>
 *   K = G Wk,  V = G Wv                       G [B,R,C] -> K, V [B,R,D]   (once per batch or image)
 *   Q = s H Wq,  s = 1/sqrt(D)                H [B,T,Hq] -> Q [B,T,D]     (the scale folded into Q)
 *   A = softmax_r(Q K^T)                      [B,T,R]
 *   ctx = A V                                 [B,T,D]
 * </pre>
 *
 * Backward, given dctx: dA = dctx V^T, dV = A^T dctx, dS = A * (dA - sum_r(A * dA)) (softmax
 * Jacobian), dQ = dS K, dK = dS^T Q, dWq = s H^T dQ, dH = s dQ Wq^T, dWk = G^T dK, dWv = G^T dV.
 * The grid gets dG = dK Wk^T + dV Wv^T when asked for (a fine-tuned encoder); else none.
 *
 * <p>All per-image products are rank-3 batched {@code Nd4j.matmul} calls (one op for the whole
 * batch, 2-3x faster than a loop of 2-D GEMMs). Weights and gradients are views (of a {@link Params}
 * or given directly); gradients are accumulated, the caller zeroes them.
 * Not thread-safe.
 */
public final class DotProductAttention {
    private final INDArray wk; // [C, D]
    private final INDArray wv; // [C, D]
    private final INDArray wq; // [Hq, D]
    private final INDArray gradWk; // [C, D]
    private final INDArray gradWv; // [C, D]
    private final INDArray gradWq; // [Hq, D]
    private final int gridDim;
    private final int queryDim;
    private final int dim;
    private final double scale;

    /** Declares {@code name.wk}, {@code name.wv} [C, D] and {@code name.wq} [Hq, D], Xavier uniform. */
    public static void declare(Params.Builder builder, String name, int gridDim, int queryDim, int dim) {
        builder.add(name + ".wk", gridDim, dim, Init.xavier());
        builder.add(name + ".wv", gridDim, dim, Init.xavier());
        builder.add(name + ".wq", queryDim, dim, Init.xavier());
    }

    /** The weights declared by {@link #declare} under {@code name}, as views into the params. */
    public DotProductAttention(Params params, String name) {
        this(params.get(name + ".wk"), params.get(name + ".wv"), params.get(name + ".wq"),
                params.grad(name + ".wk"), params.grad(name + ".wv"), params.grad(name + ".wq"));
    }

    /** Weights and their gradient buffers given directly (views the caller owns). */
    public DotProductAttention(INDArray wk, INDArray wv, INDArray wq,
                               INDArray gradWk, INDArray gradWv, INDArray gradWq) {
        requireSameShape(wk, gradWk, "Wk");
        requireSameShape(wv, gradWv, "Wv");
        requireSameShape(wq, gradWq, "Wq");
        if (wk.rank() != 2 || wv.rank() != 2 || wq.rank() != 2
                || wk.rows() != wv.rows() || wk.columns() != wv.columns() || wq.columns() != wk.columns()) {
            throw new IllegalArgumentException("attention weights need Wk, Wv [C,D] and Wq [Hq,D], got "
                    + shape(wk) + ", " + shape(wv) + ", " + shape(wq));
        }
        this.wk = wk;
        this.wv = wv;
        this.wq = wq;
        this.gradWk = gradWk;
        this.gradWv = gradWv;
        this.gradWq = gradWq;
        this.gridDim = (int) wk.rows();
        this.queryDim = (int) wq.rows();
        this.dim = (int) wk.columns();
        this.scale = 1.0 / Math.sqrt(dim);
    }

    /** Attention dimension D. */
    public int dim() {
        return dim;
    }

    /** Projects the memory vectors once: keys and values for every later query. */
    public Memory memory(INDArray grid) {
        if (grid.rank() != 3 || grid.size(2) != gridDim) {
            throw new IllegalArgumentException("grid must be [B,R," + gridDim + "], got " + shape(grid));
        }
        int b = (int) grid.size(0);
        int r = (int) grid.size(1);
        INDArray g2 = grid.reshape('c', (long) b * r, gridDim); // [B*R, C]
        INDArray keys = Nd4j.create(wk.dataType(), b, r, dim); // [B, R, D]
        INDArray values = Nd4j.create(wk.dataType(), b, r, dim); // [B, R, D]
        Nd4j.gemm(g2, wk, keys.reshape('c', (long) b * r, dim), false, false, 1.0, 0.0);
        Nd4j.gemm(g2, wv, values.reshape('c', (long) b * r, dim), false, false, 1.0, 0.0);
        return new Memory(g2, keys, values);
    }

    /**
     * Frees a finished pass's arrays and its memory's keys and values at once (the grid is the caller's). Off-heap
     * temporaries left to the garbage collector pile up between collections and make allocation stall; measured on
     * a VQA glimpse, backward went from 34 to 12 ms when its temporaries were freed like this.
     */
    public static void release(Pass pass) {
        for (INDArray a : new INDArray[] {pass.queries(), pass.q(), pass.weights(), pass.context(),
                pass.memory().keys(), pass.memory().values()}) {
            a.close(); // a no-op for views
        }
    }

    /**
     * Attention of every query position at once (training): queries [B,T,Hq] against the memory of
     * the same B images.
     */
    public Pass forward(Memory memory, INDArray queries) {
        return forward(memory, queries, null);
    }

    /**
     * As {@link #forward(Memory, INDArray)}, with {@code mask} [B,T,R] (or null) added to the scores before the
     * softmax: a large negative entry shuts a memory vector out for that query (its weight is exactly 0, and so is
     * its gradient), which lets queries about different images share one memory of all their grids.
     */
    public Pass forward(Memory memory, INDArray queries, INDArray mask) {
        int b = memory.batch();
        if (queries.rank() != 3 || queries.size(0) != b || queries.size(2) != queryDim) {
            throw new IllegalArgumentException("queries must be [" + b + ",T," + queryDim + "], got " + shape(queries));
        }
        int t = (int) queries.size(1);
        int r = memory.regions();
        INDArray h = queries.dup('c'); // [B, T, Hq]
        INDArray q = Nd4j.create(wq.dataType(), b, t, dim); // [B, T, D]
        Nd4j.gemm(h.reshape((long) b * t, queryDim), wq, q.reshape((long) b * t, dim), false, false, scale, 0.0);
        INDArray weights = Nd4j.create(wq.dataType(), b, t, r); // [B, T, R]
        Nd4j.matmul(q, memory.keys(), weights, false, true, false);
        if (mask != null) {
            weights.addi(mask);
        }
        Nd4j.exec((CustomOp) new SoftMax(weights, weights, -1));
        INDArray context = Nd4j.create(wq.dataType(), b, t, dim); // [B, T, D]
        Nd4j.matmul(weights, memory.values(), context, false, false, false);
        return new Pass(memory, h, q, weights, context);
    }

    /**
     * Back-propagates dctx [B,T,D] through one {@link #forward} pass: accumulates the weight
     * gradients and returns the gradient for the queries [B,T,Hq].
     */
    public INDArray backward(Pass pass, INDArray dContext) {
        return backward(pass, dContext, null);
    }

    /**
     * As {@link #backward(Pass, INDArray)}, and when {@code dGrid} [B,R,C] is given, adds the gradient
     * of the memory vectors (the grid) to it.
     */
    public INDArray backward(Pass pass, INDArray dContext, INDArray dGrid) {
        Memory m = pass.memory();
        if (m.grid2d() == null) {
            throw new IllegalStateException("backward needs the memory built by memory(grid), not a selected copy");
        }
        int b = m.batch();
        int r = m.regions();
        int t = (int) pass.queries().size(1);
        DataType type = wq.dataType();
        INDArray dCtx = dContext.dup('c'); // [B, T, D]

        INDArray dA = Nd4j.create(type, b, t, r); // [B, T, R]
        Nd4j.matmul(dCtx, m.values(), dA, false, true, false);
        INDArray dV = Nd4j.create(type, b, r, dim); // [B, R, D]
        Nd4j.matmul(pass.weights(), dCtx, dV, true, false, false);

        // Softmax Jacobian per row: dS = A * (dA - sum_r A * dA).
        INDArray a2 = pass.weights().reshape((long) b * t, r); // [B*T, R]
        INDArray ds2 = dA.reshape((long) b * t, r).muli(a2); // [B*T, R]  A * dA
        INDArray rowSum = ds2.sum(true, 1); // [B*T, 1]
        INDArray scaled = a2.mulColumnVector(rowSum);
        ds2.subi(scaled);
        INDArray dS = ds2.reshape(b, t, r); // [B, T, R]

        INDArray dQ = Nd4j.create(type, b, t, dim); // [B, T, D]
        Nd4j.matmul(dS, m.keys(), dQ, false, false, false);
        INDArray dK = Nd4j.create(type, b, r, dim); // [B, R, D]
        Nd4j.matmul(dS, pass.q(), dK, true, false, false);

        INDArray h2 = pass.queries().reshape((long) b * t, queryDim); // [B*T, Hq]
        INDArray dQ2 = dQ.reshape((long) b * t, dim); // [B*T, D]
        Nd4j.gemm(h2, dQ2, gradWq, true, false, scale, 1.0);
        Nd4j.gemm(m.grid2d(), dK.reshape((long) b * r, dim), gradWk, true, false, 1.0, 1.0);
        Nd4j.gemm(m.grid2d(), dV.reshape((long) b * r, dim), gradWv, true, false, 1.0, 1.0);
        if (dGrid != null) {
            INDArray dg2 = dGrid.reshape('c', (long) b * r, gridDim); // [B*R, C] view
            Nd4j.gemm(dK.reshape((long) b * r, dim), wk, dg2, false, true, 1.0, 1.0);
            Nd4j.gemm(dV.reshape((long) b * r, dim), wv, dg2, false, true, 1.0, 1.0);
        }
        INDArray dH = Nd4j.create(type, (long) b * t, queryDim); // [B*T, Hq]
        Nd4j.gemm(dQ2, wq, dH, false, true, scale, 0.0);
        // Freed now rather than when the collector finds them: off-heap temporaries piling up between collections
        // end in JavaCPP forcing a full GC (the allocation stalls of the training step).
        for (INDArray tmp : new INDArray[] {dCtx, dA, dV, rowSum, scaled, dQ, dK}) {
            tmp.close();
        }
        return dH.reshape(b, t, queryDim); // [B, T, Hq]
    }

    /** Preallocated buffers for one decoding step of a batch of {@code batch} queries. */
    public StepBuffers stepBuffers(int batch, int regions) {
        return new StepBuffers(wq.dataType(), batch, regions, dim);
    }

    /**
     * One query per image (inference): h [B,Hq]; fills {@code out.weights()} [B,R] and
     * {@code out.context()} [B,D] without allocating.
     */
    public void step(Memory memory, INDArray h, StepBuffers out) {
        Nd4j.gemm(h, wq, out.q, false, false, scale, 0.0); // [B, D]
        if (out.batch == 1) {
            // One image: plain 2-D products are cheaper than the batched op.
            Nd4j.gemm(out.q, memory.keys().reshape(out.regions, dim), out.weights, false, true, 1.0, 0.0); // [1, R]
            Nd4j.exec((CustomOp) new SoftMax(out.weights, out.weights, -1));
            Nd4j.gemm(out.weights, memory.values().reshape(out.regions, dim), out.context, false, false, 1.0, 0.0); // [1, D]
        } else {
            Nd4j.matmul(out.q3, memory.keys(), out.weights3, false, true, false); // [B, 1, R]
            Nd4j.exec((CustomOp) new SoftMax(out.weights, out.weights, -1));
            Nd4j.matmul(out.weights3, memory.values(), out.context3, false, false, false); // [B, 1, D]
        }
    }

    private static void requireSameShape(INDArray w, INDArray g, String name) {
        if (!java.util.Arrays.equals(w.shape(), g.shape())) {
            throw new IllegalArgumentException(name + " gradient shape " + shape(g) + " differs from " + shape(w));
        }
    }

    private static String shape(INDArray a) {
        return java.util.Arrays.toString(a.shape());
    }

    /**
     * Projected memory of B images: keys and values [B,R,D]; {@code grid2d} [B*R,C] is kept for the
     * weight gradients and is null in a {@link #select}ed copy (inference only).
     */
    public record Memory(INDArray grid2d, INDArray keys, INDArray values) {
        public int batch() {
            return (int) keys.size(0);
        }

        public int regions() {
            return (int) keys.size(1);
        }

        /** The memory of the given images, in that order (beam reorder); for inference. */
        public Memory select(int[] rows) {
            Memory out = new Memory(null, Nd4j.create(keys.dataType(), rows.length, regions(), keys.size(2)),
                    Nd4j.create(values.dataType(), rows.length, regions(), values.size(2))); // [B', R, D]
            selectInto(rows, out);
            return out;
        }

        /** {@link #select} into {@code dest}'s keys and values, which must hold rows.length images of this memory's shape. */
        public void selectInto(int[] rows, Memory dest) {
            int r = regions();
            int d = (int) keys.size(2);
            if (dest.batch() != rows.length || dest.regions() != r || dest.keys.size(2) != d) {
                throw new IllegalArgumentException("memory of " + dest.batch() + " images for " + rows.length + " rows");
            }
            Nd4j.pullRows(keys.reshape(batch(), (long) r * d), dest.keys.reshape(rows.length, (long) r * d), 1, rows);
            Nd4j.pullRows(values.reshape(batch(), (long) r * d), dest.values.reshape(rows.length, (long) r * d), 1, rows);
        }
    }

    /** What {@link #backward} needs from one forward pass; {@code context} [B,T,D] is its output. */
    public record Pass(Memory memory, INDArray queries, INDArray q, INDArray weights, INDArray context) {}

    /** Per-step outputs: {@code weights()} [B,R] and {@code context()} [B,D], overwritten each step. */
    public static final class StepBuffers {
        final int batch;
        final int regions;
        final INDArray q; // [B, D]
        final INDArray q3; // [B, 1, D] view of q
        final INDArray weights; // [B, R]
        final INDArray weights3; // [B, 1, R] view of weights
        final INDArray context; // [B, D]
        final INDArray context3; // [B, 1, D] view of context

        StepBuffers(DataType type, int batch, int regions, int dim) {
            this.batch = batch;
            this.regions = regions;
            this.q = Nd4j.create(type, batch, dim);
            this.q3 = q.reshape(batch, 1, dim);
            this.weights = Nd4j.create(type, batch, regions);
            this.weights3 = weights.reshape(batch, 1, regions);
            this.context = Nd4j.create(type, batch, dim);
            this.context3 = context.reshape(batch, 1, dim);
        }

        public INDArray weights() {
            return weights;
        }

        public INDArray context() {
            return context;
        }
    }
}

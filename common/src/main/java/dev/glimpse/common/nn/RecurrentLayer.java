package dev.glimpse.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One recurrent layer over time-major packed rows (row {@code offset(t) + b}, see {@link Packing}), as the models
 * use it: training ({@link #forward} with the input products of all steps in one GEMM per gate block, then
 * {@link #backward}), truncated BPTT ({@link #copyLastState} carries the state into the next chunk), gradient-flow
 * diagnostics ({@link #recordStepGradNorms}), and inference ({@link #step}, the per-word input table through
 * {@link #inputProducts}, {@link #infer}).
 *
 * <p>The state is h, plus the memory cell c for the LSTM ({@link CellKind#hasCell()}); cells without c ignore
 * every c argument (callers may pass null). Not thread-safe: layers keep per-call buffers.
 */
public interface RecurrentLayer {
    CellKind kind();

    int inputSize();

    int hiddenSize();

    /**
     * Runs all steps. x [N, in] time-major rows per {@code packing}; h0, c0 [B, H] or null (zeros).
     * Returns h for every row [N, H]: a view of an internal buffer, valid until the next forward.
     */
    INDArray forward(INDArray x, Packing packing, INDArray h0, INDArray c0);

    /**
     * Backpropagates dH [N, H] through the cached forward (once). Accumulates into the params' gradients; writes
     * dh0/dc0 [B, H] if not null (meaningful only when h0/c0 were given). Returns dX [N, in] (internal buffer view)
     * or null when {@code needDx} is false.
     */
    INDArray backward(INDArray dH, INDArray dh0, INDArray dc0, boolean needDx);

    /**
     * After {@link #forward}: copies the state at the last step of the first {@code rows} sequences (rows at most
     * the last step's batch size) into h [rows, H] and, for the LSTM, c [rows, H]: the initial state of the next
     * chunk in truncated BPTT (a copy, so no gradient flows back into this chunk).
     */
    void copyLastState(int rows, INDArray h, INDArray c);

    /**
     * Whether {@link #backward} records, per time step t, the root mean square over the active sequences of
     * |dLoss/dh_t|_2 (the total gradient on h_t: its own output's plus what flows back from later steps).
     * Off by default: it costs one reduction per step.
     */
    void recordStepGradNorms(boolean on);

    /** The per-step norms of the last recorded {@link #backward} (index = step within that forward), or null. */
    double[] stepGradNorms();

    /** Rows the training cache can hold now (what a forward/backward keeps grows with the rows of a call). */
    int trainingCapacityRows();

    /** One inference step in place: x [B, in]; h [B, H] (and c for the LSTM) become the new state. */
    void step(INDArray x, INDArray h, INDArray c);

    /** Columns of {@link #inputProducts}: {@code kind().gates() * hiddenSize()}. */
    default int inputProductWidth() {
        return kind().gates() * hiddenSize();
    }

    /**
     * The input side of {@link #step} for rows x [N, in], as [N, inputProductWidth()] in the layout
     * {@link #stepFromInputProducts} takes. A decoder whose inputs are rows of a fixed table (word embeddings)
     * computes this once for the whole table.
     */
    INDArray inputProducts(INDArray x);

    /**
     * {@link #step} for inputs given as rows of {@link #inputProducts}: gates [B, width] holds those rows on entry
     * and is overwritten; h (and c) become the new state.
     */
    void stepFromInputProducts(INDArray gates, INDArray h, INDArray c);

    /** As {@link #stepFromInputProducts} for batch 1 with the input products read from row {@code row} of {@code table}. */
    void stepFromTableRow(INDArray table, int row, INDArray h, INDArray c);

    /**
     * Whether batch-1 steps ({@link #stepFromTableRow}, {@link #step} with one row) multiply through bfloat16
     * copies of the recurrent weights ({@link Bf16RowProduct}: about half the time where the CPU has AVX512_BF16,
     * results off by ~2^-8 relative). Off by default; a cell may ignore it where its step is not weight-bound.
     */
    void decodeInBf16(boolean on);

    /**
     * Forward for inference only (no backward cache): zero initial state; returns h for every row [N, H], an
     * internal buffer view valid until the next call.
     */
    INDArray infer(INDArray x, Packing packing);
}

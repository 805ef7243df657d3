package dev.glimpse.captioning.net;

import dev.glimpse.common.nn.DotProductAttention;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Decoding state of B captions in progress (for {@link CaptionNet#next}): recurrent state per layer,
 * the projected attention memory, and preallocated buffers for one step. Not thread-safe; the
 * arrays returned by {@link #probabilities()} and {@link #attention()} are overwritten by the next
 * step on this state.
 */
public final class DecodeState {
    final CaptionNet net;
    final int batch;
    final INDArray input; // [B, E] step input (image projection or word embedding)
    final INDArray[] h; // per layer [B, H]
    final INDArray[] c; // per layer [B, H] (the LSTM's memory cell; unused by other cells)
    final INDArray probs; // [B, V]
    final INDArray wordGates; // [B, gates*H]: first layer's input products of the step's words
    final DotProductAttention.Memory memory; // keys/values [B, R, D], or null without attention
    final DotProductAttention.StepBuffers att; // or null without attention

    DecodeState(CaptionNet net, int batch, DotProductAttention.Memory memory) {
        CaptionNetConfig cfg = net.config();
        DataType type = net.dataType();
        this.net = net;
        this.batch = batch;
        this.input = Nd4j.create(type, batch, cfg.embedDim());
        this.h = new INDArray[cfg.layers()];
        this.c = new INDArray[cfg.layers()];
        for (int l = 0; l < cfg.layers(); l++) {
            h[l] = Nd4j.create(type, batch, cfg.hiddenDim());
            c[l] = Nd4j.create(type, batch, cfg.hiddenDim());
        }
        this.probs = Nd4j.create(type, batch, cfg.vocabSize());
        this.wordGates = Nd4j.create(type, batch, (long) cfg.cell().gates() * cfg.hiddenDim());
        this.memory = memory;
        this.att = memory == null ? null : net.attentionKernel().stepBuffers(batch, memory.regions());
    }

    public int batch() {
        return batch;
    }

    /** Word probabilities of the last step [B, V] (zeros before the first {@link CaptionNet#next}). */
    public INDArray probabilities() {
        return probs;
    }

    /** Attention weights of the last step over the grid regions [B, R]; null for a model without attention. */
    public INDArray attention() {
        return att == null ? null : att.weights();
    }

    /**
     * A new state whose row i continues row {@code rows[i]} of this one (rows may repeat or be
     * dropped: beam reorder). This state stays usable.
     */
    public DecodeState select(int[] rows) {
        return select(rows, null);
    }

    /**
     * {@link #select(int[])} into {@code spare}'s arrays when it is another state of this network with
     * {@code rows.length} rows that the caller no longer needs (a beam search swaps two states each step), so a
     * step allocates nothing; otherwise into a new state. Returns the state written.
     */
    public DecodeState select(int[] rows, DecodeState spare) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("select needs at least one row");
        }
        for (int r : rows) {
            if (r < 0 || r >= batch) {
                throw new IllegalArgumentException("row " + r + " outside the batch of " + batch);
            }
        }
        DecodeState s;
        if (spare != null && spare != this && spare.net == net && spare.batch == rows.length
                && (spare.memory == null) == (memory == null)) {
            s = spare;
            if (memory != null) {
                memory.selectInto(rows, s.memory);
            }
        } else {
            s = new DecodeState(net, rows.length, memory == null ? null : memory.select(rows));
        }
        for (int l = 0; l < h.length; l++) {
            Nd4j.pullRows(h[l], s.h[l], 1, rows); // [B', H]
            Nd4j.pullRows(c[l], s.c[l], 1, rows); // [B', H]
        }
        Nd4j.pullRows(probs, s.probs, 1, rows); // [B', V]
        if (att != null) {
            Nd4j.pullRows(att.weights(), s.att.weights(), 1, rows); // [B', R]
        }
        return s;
    }
}

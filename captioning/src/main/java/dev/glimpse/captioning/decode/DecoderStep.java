package dev.glimpse.captioning.decode;

/**
 * One step of a caption model over a batch of live decoding rows: the single function greedy
 * decoding and beam search share (ruotianluo's {@code get_logprobs_state}). The model has already
 * consumed the image when decoding starts, with one row per image in order.
 *
 * <p>Plain Java arrays keep the decoders independent of the network and testable with fake
 * steps; the network adapter copies its [rows, V] output once per step. The arrays a step returns are valid
 * until its next call (an adapter may reuse them: at 10,000 words a fresh [rows][V] per step was most of the
 * garbage a decode made); a decoder that keeps a row copies it.
 */
public interface DecoderStep {
    /** Feeds one token per live row and returns next-word probabilities, [rows][V]. */
    float[][] next(int[] tokens);

    /**
     * Rebuilds the rows: new row i continues old row {@code rows[i]}. Rows may repeat (a beam
     * split in two) or be left out (finished beams).
     */
    void select(int[] rows);

    /** Attention weights over the image regions from the last {@link #next} call, [rows][R], or null. */
    float[][] attention();
}

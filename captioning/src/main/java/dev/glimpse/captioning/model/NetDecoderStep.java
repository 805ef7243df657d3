package dev.glimpse.captioning.model;

import dev.glimpse.captioning.decode.DecoderStep;
import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.captioning.net.DecodeState;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs the decoders on a {@link CaptionNet}: one network step per decoder step. */
public final class NetDecoderStep implements DecoderStep {
    private final CaptionNet net;
    private DecodeState state;

    /** Starts decoding one row per image; the network consumes the image features here. */
    public NetDecoderStep(CaptionNet net, INDArray pooled, INDArray grid) {
        this.net = net;
        this.state = net.start(pooled, grid); // pooled [B, F], grid [B, R, C] or null
    }

    @Override
    public float[][] next(int[] tokens) {
        return net.next(state, tokens).toFloatMatrix(); // [rows, V]
    }

    @Override
    public void select(int[] rows) {
        state = state.select(rows);
    }

    @Override
    public float[][] attention() {
        INDArray a = state.attention(); // [rows, R] or null
        return a == null ? null : a.toFloatMatrix();
    }
}

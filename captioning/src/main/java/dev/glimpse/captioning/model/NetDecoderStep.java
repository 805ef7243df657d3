package dev.glimpse.captioning.model;

import dev.glimpse.captioning.decode.DecoderStep;
import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.captioning.net.DecodeState;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs the decoders on a {@link CaptionNet}: one network step per decoder step. */
public final class NetDecoderStep implements DecoderStep {
    private final CaptionNet net;
    private DecodeState state;
    private DecodeState spare; // the previous state, whose arrays the next select of the same size reuses
    private float[][] probs;   // the last rows returned by next(), refilled when the shape allows
    private float[][] weights; // the same for attention()

    /** Starts decoding one row per image; the network consumes the image features here. */
    public NetDecoderStep(CaptionNet net, INDArray pooled, INDArray grid) {
        this.net = net;
        this.state = net.start(pooled, grid); // pooled [B, F], grid [B, R, C] or null
    }

    @Override
    public float[][] next(int[] tokens) {
        probs = rows(net.next(state, tokens), probs); // [rows, V]
        return probs;
    }

    @Override
    public void select(int[] rows) {
        DecodeState next = state.select(rows, spare);
        spare = state;
        state = next;
    }

    @Override
    public float[][] attention() {
        INDArray a = state.attention(); // [rows, R] or null
        if (a == null) {
            return null;
        }
        weights = rows(a, weights);
        return weights;
    }

    /**
     * A c-order float matrix as Java rows by bulk copies from its buffer (toFloatMatrix() reads element
     * by element: ~10x slower on a [32, 10000] step output), into {@code reuse} when it has that shape.
     */
    private static float[][] rows(INDArray a, float[][] reuse) {
        if (a.dataType() != DataType.FLOAT || a.ordering() != 'c' || a.rank() != 2 || a.stride(1) != 1
                || (a.size(0) > 1 && a.stride(0) != a.size(1))) {
            return a.toFloatMatrix();
        }
        int r = (int) a.size(0);
        int cols = (int) a.size(1);
        float[][] out = reuse != null && reuse.length == r && (r == 0 || reuse[0].length == cols) ? reuse : new float[r][cols];
        FloatBuffer buffer = a.data().asNioFloat();
        long offset = a.offset();
        for (int i = 0; i < r; i++) {
            buffer.position((int) (offset + (long) i * cols));
            buffer.get(out[i]);
        }
        return out;
    }
}

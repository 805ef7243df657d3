package dev.glimpse.captioning.net;

import dev.glimpse.common.bundle.ModelLimits;
import dev.glimpse.common.nn.CellKind;

/**
 * Shape of a {@link CaptionNet}. {@code gridDim} and {@code attentionDim} matter only with
 * {@code attention} (they may be 0 without it).
 *
 * @param vocabSize    output and input vocabulary, special ids included
 * @param featureDim   pooled image feature F
 * @param gridDim      grid vector size C (attention keys/values come from [R, C] grids)
 * @param embedDim     word embedding and image projection size E
 * @param hiddenDim    recurrent hidden size H (every layer)
 * @param layers       stacked recurrent layers, 1 or more
 * @param attentionDim attention projection size D
 * @param attention    whether the output layer also sees an attention context over the grid
 * @param dropout      drop probability after every recurrent layer in training, in [0, 1)
 * @param cell         the recurrent cell of every layer; absent (null) in model files written before cells
 *                     could be chosen, which were all LSTM
 */
public record CaptionNetConfig(int vocabSize, int featureDim, int gridDim, int embedDim, int hiddenDim,
                               int layers, int attentionDim, boolean attention, double dropout, CellKind cell) {
    public CaptionNetConfig {
        cell = cell == null ? CellKind.LSTM : cell;
        requirePositive("vocabSize", vocabSize);
        requirePositive("featureDim", featureDim);
        requirePositive("embedDim", embedDim);
        requirePositive("hiddenDim", hiddenDim);
        requirePositive("layers", layers);
        if (attention) {
            requirePositive("gridDim", gridDim);
            requirePositive("attentionDim", attentionDim);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    /** An LSTM network (the cell of every model before cells could be chosen). */
    public CaptionNetConfig(int vocabSize, int featureDim, int gridDim, int embedDim, int hiddenDim, int layers,
                            int attentionDim, boolean attention, double dropout) {
        this(vocabSize, featureDim, gridDim, embedDim, hiddenDim, layers, attentionDim, attention, dropout, CellKind.LSTM);
    }

    /** This configuration with another cell. */
    public CaptionNetConfig withCell(CellKind kind) {
        return new CaptionNetConfig(vocabSize, featureDim, gridDim, embedDim, hiddenDim, layers, attentionDim, attention,
                dropout, kind);
    }

    /**
     * Checks every size against {@link ModelLimits} and the resulting parameter count, in long
     * arithmetic and before anything is allocated; {@code where} names the file and entry for the
     * message. Returns this.
     */
    public CaptionNetConfig validate(String where) {
        ModelLimits.dimension(where, "vocabSize", vocabSize, ModelLimits.MAX_VOCABULARY);
        ModelLimits.dimension(where, "featureDim", featureDim, ModelLimits.MAX_FEATURE_DIM);
        ModelLimits.dimension(where, "embedDim", embedDim, ModelLimits.MAX_WIDTH);
        ModelLimits.dimension(where, "hiddenDim", hiddenDim, ModelLimits.MAX_WIDTH);
        ModelLimits.dimension(where, "layers", layers, ModelLimits.MAX_LAYERS);
        if (attention) {
            ModelLimits.dimension(where, "gridDim", gridDim, ModelLimits.MAX_FEATURE_DIM);
            ModelLimits.dimension(where, "attentionDim", attentionDim, ModelLimits.MAX_WIDTH);
        }
        ModelLimits.parameters(where, parameterCount());
        return this;
    }

    /** Length of {@link CaptionNet}'s flat parameter buffer, computed without building it (mirrors its declaration). */
    public long parameterCount() {
        long e = embedDim;
        long h = hiddenDim;
        long v = vocabSize;
        long n = featureDim * e + e + v * e;                      // image.w, image.b, embed.e
        for (int l = 0; l < layers; l++) {
            long in = l == 0 ? e : h;
            n += cell.parameterCount(in, h);                      // <cell><l>.wx, .wh, .b
        }
        n += h * v + v;                                           // out.w, out.b
        if (attention) {
            long d = attentionDim;
            n += 2L * gridDim * d + h * d + d * v;                // att.wk, att.wv, att.wq, ctx.w
        }
        return n;
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}

package dev.glimpse.vqa.net;

import dev.glimpse.common.bundle.ModelLimits;
import dev.glimpse.common.nn.CellKind;

/**
 * Shape of a {@link VqaNet}: question vocabulary and word embedding size, LSTM hidden size and layer count,
 * image feature size, size of the fused question-image space, number of answers, dropout on the fused vector, and
 * the recurrent cell of the question encoder's layers ({@code lstmLayers} counts them whatever the cell; null, as
 * in model files written before cells could be chosen, means LSTM).
 */
public record VqaNetConfig(int questionVocab, int embedDim, int hiddenDim, int lstmLayers, int featureDim,
                           int fusedDim, int answers, double dropout, CellKind cell) {
    public VqaNetConfig {
        cell = cell == null ? CellKind.LSTM : cell;
        if (questionVocab < 1 || embedDim < 1 || hiddenDim < 1 || lstmLayers < 1 || featureDim < 1 || fusedDim < 1 || answers < 1) {
            throw new IllegalArgumentException("VqaNetConfig sizes must be positive: " + this);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("VqaNetConfig dropout must be in [0, 1): " + dropout);
        }
    }

    /** An LSTM question encoder (the cell of every model before cells could be chosen). */
    public VqaNetConfig(int questionVocab, int embedDim, int hiddenDim, int lstmLayers, int featureDim, int fusedDim,
                        int answers, double dropout) {
        this(questionVocab, embedDim, hiddenDim, lstmLayers, featureDim, fusedDim, answers, dropout, CellKind.LSTM);
    }

    /** This configuration with another cell. */
    public VqaNetConfig withCell(CellKind kind) {
        return new VqaNetConfig(questionVocab, embedDim, hiddenDim, lstmLayers, featureDim, fusedDim, answers, dropout, kind);
    }

    /**
     * Checks every size against {@link ModelLimits} and the resulting parameter count, in long
     * arithmetic and before anything is allocated; {@code where} names the file and entry for the
     * message. Returns this.
     */
    public VqaNetConfig validate(String where) {
        ModelLimits.dimension(where, "questionVocab", questionVocab, ModelLimits.MAX_VOCABULARY);
        ModelLimits.dimension(where, "embedDim", embedDim, ModelLimits.MAX_WIDTH);
        ModelLimits.dimension(where, "hiddenDim", hiddenDim, ModelLimits.MAX_WIDTH);
        ModelLimits.dimension(where, "lstmLayers", lstmLayers, ModelLimits.MAX_LAYERS);
        ModelLimits.dimension(where, "featureDim", featureDim, ModelLimits.MAX_FEATURE_DIM);
        ModelLimits.dimension(where, "fusedDim", fusedDim, ModelLimits.MAX_WIDTH);
        ModelLimits.dimension(where, "answers", answers, ModelLimits.MAX_VOCABULARY);
        ModelLimits.parameters(where, parameterCount());
        return this;
    }

    /** Length of {@link VqaNet}'s flat parameter buffer, computed without building it (mirrors its declaration). */
    public long parameterCount() {
        long e = embedDim;
        long h = hiddenDim;
        long fused = fusedDim;
        long n = (long) questionVocab * e;                        // emb.e
        for (int l = 0; l < lstmLayers; l++) {
            long in = l == 0 ? e : h;
            n += cell.parameterCount(in, h);                      // <cell><l>.wx, .wh, .b
        }
        n += h * fused + fused;                                   // q.w, q.b
        n += featureDim * fused + fused;                          // img.w, img.b
        n += fused * answers + answers;                           // out.w, out.b
        return n;
    }

    /** The benchmark shapes: 300-d embeddings, 2-layer LSTM 512, fused 1024, dropout 0.5. */
    public static VqaNetConfig standard(int questionVocab, int featureDim, int answers) {
        return new VqaNetConfig(questionVocab, 300, 512, 2, featureDim, 1024, answers, 0.5);
    }
}

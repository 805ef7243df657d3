package dev.glimpse.vqa.net;

import dev.glimpse.common.bundle.ModelLimits;
import dev.glimpse.common.nn.CellKind;

/**
 * Shape of a {@link VqaNet}: question vocabulary and word embedding size, LSTM hidden size and layer count,
 * image feature size, size of the fused question-image space, number of answers, dropout on the fused vector, and
 * the recurrent cell of the question encoder's layers ({@code lstmLayers} counts them whatever the cell; null, as
 * in model files written before cells could be chosen, means LSTM), and the question-guided glimpses over the
 * image grid: {@code glimpses} attention heads over a {@code gridRows} x {@code gridCols} grid of {@code gridDim}
 * channels (plus two position channels) with {@code attentionDim}-wide values; 0 glimpses, as in model files written before them, is the
 * pooled-vector baseline alone. {@code imageScale} multiplies the L2-normalised image vector before its layer:
 * {@code sqrt(featureDim)} gives that layer unit-variance inputs, as for the question side, where a unit vector would
 * start the image branch ~sqrt(featureDim) times smaller than the question's, so the product q * v, and with it any
 * answer that needs both question and image ("is there a red circle?"), barely moved from the answer prior (measured
 * on the quick-start scenes: yes/no at chance, 57% overall at 1, 71% at sqrt(512)); 0, as in model files written
 * before it, means 1.
 */
public record VqaNetConfig(int questionVocab, int embedDim, int hiddenDim, int lstmLayers, int featureDim,
                           int fusedDim, int answers, double dropout, CellKind cell, int glimpses, int gridRows,
                           int gridCols, int gridDim, int attentionDim, double imageScale) {
    /** Position channels appended to every grid cell before the glimpses: x and y of the cell's centre in [-1, 1]. */
    public static final int POSITION_CHANNELS = 2;
    /** Far above sqrt of any feature size a model file may declare. */
    static final double MAX_IMAGE_SCALE = 1e4;

    public VqaNetConfig {
        cell = cell == null ? CellKind.LSTM : cell;
        imageScale = imageScale == 0 ? 1 : imageScale;
        if (!(imageScale > 0 && imageScale <= MAX_IMAGE_SCALE)) {
            throw new IllegalArgumentException("VqaNetConfig imageScale must be in (0, " + MAX_IMAGE_SCALE + "]: " + imageScale);
        }
        if (questionVocab < 1 || embedDim < 1 || hiddenDim < 1 || lstmLayers < 1 || featureDim < 1 || fusedDim < 1 || answers < 1) {
            throw new IllegalArgumentException("VqaNetConfig sizes must be positive: " + this);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("VqaNetConfig dropout must be in [0, 1): " + dropout);
        }
        if (glimpses < 0 || glimpses > 0 && (gridRows < 1 || gridCols < 1 || gridDim < 1 || attentionDim < 1)) {
            throw new IllegalArgumentException("VqaNetConfig glimpses need positive grid and attention sizes: " + this);
        }
        if (glimpses == 0) {
            gridRows = 0;
            gridCols = 0;
            gridDim = 0;
            attentionDim = 0;
        }
    }

    /** No glimpses: the pooled-vector baseline, the image vector scaled to sqrt(featureDim). */
    public VqaNetConfig(int questionVocab, int embedDim, int hiddenDim, int lstmLayers, int featureDim, int fusedDim,
                        int answers, double dropout, CellKind cell) {
        this(questionVocab, embedDim, hiddenDim, lstmLayers, featureDim, fusedDim, answers, dropout, cell, 0, 0, 0, 0, 0,
                Math.sqrt(featureDim));
    }

    /** An LSTM question encoder (the cell of every model before cells could be chosen). */
    public VqaNetConfig(int questionVocab, int embedDim, int hiddenDim, int lstmLayers, int featureDim, int fusedDim,
                        int answers, double dropout) {
        this(questionVocab, embedDim, hiddenDim, lstmLayers, featureDim, fusedDim, answers, dropout, CellKind.LSTM);
    }

    /** This configuration with another cell. */
    public VqaNetConfig withCell(CellKind kind) {
        return new VqaNetConfig(questionVocab, embedDim, hiddenDim, lstmLayers, featureDim, fusedDim, answers, dropout, kind,
                glimpses, gridRows, gridCols, gridDim, attentionDim, imageScale);
    }

    /** This configuration with another scale of the normalised image vector (1: the models written before it). */
    public VqaNetConfig withImageScale(double scale) {
        return new VqaNetConfig(questionVocab, embedDim, hiddenDim, lstmLayers, featureDim, fusedDim, answers, dropout, cell,
                glimpses, gridRows, gridCols, gridDim, attentionDim, scale);
    }

    /** This configuration with {@code glimpses} question-guided attention heads over a rows x cols grid of {@code gridDim} channels. */
    public VqaNetConfig withGlimpses(int glimpses, int gridRows, int gridCols, int gridDim, int attentionDim) {
        return new VqaNetConfig(questionVocab, embedDim, hiddenDim, lstmLayers, featureDim, fusedDim, answers, dropout, cell,
                glimpses, gridRows, gridCols, gridDim, attentionDim, imageScale);
    }

    /** Whether the network reads the image grid (glimpses) besides the pooled vector. */
    public boolean attends() {
        return glimpses > 0;
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
        if (glimpses > 0) {
            ModelLimits.dimension(where, "glimpses", glimpses, ModelLimits.MAX_LAYERS);
            ModelLimits.dimension(where, "gridRows", gridRows, ModelLimits.MAX_WIDTH);
            ModelLimits.dimension(where, "gridCols", gridCols, ModelLimits.MAX_WIDTH);
            ModelLimits.dimension(where, "gridDim", gridDim, ModelLimits.MAX_FEATURE_DIM);
            ModelLimits.dimension(where, "gridRows x gridCols", (int) Math.min(Integer.MAX_VALUE, (long) gridRows * gridCols),
                    ModelLimits.MAX_FEATURE_DIM);
            ModelLimits.dimension(where, "attentionDim", attentionDim, ModelLimits.MAX_WIDTH);
        }
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
        if (glimpses > 0) {
            long c = gridDim + POSITION_CHANNELS;
            long a = attentionDim;
            n += glimpses * (2 * c * a + h * a);                  // att<k>.wk, .wv [C+2, A], .wq [H, A]
            n += glimpses * a * fused;                            // ctx.w (no bias: img.b is the bias)
        }
        return n;
    }

    /** The benchmark shapes: 300-d embeddings, 2-layer LSTM 512, fused 1024, dropout 0.5. */
    public static VqaNetConfig standard(int questionVocab, int featureDim, int answers) {
        return new VqaNetConfig(questionVocab, 300, 512, 2, featureDim, 1024, answers, 0.5);
    }
}

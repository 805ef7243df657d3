package dev.glimpse.vqa.net;

/**
 * Shape of a {@link VqaNet}: question vocabulary and word embedding size, LSTM hidden size and layer count,
 * image feature size, size of the fused question-image space, number of answers, and dropout on the fused vector.
 */
public record VqaNetConfig(int questionVocab, int embedDim, int hiddenDim, int lstmLayers, int featureDim,
                           int fusedDim, int answers, double dropout) {
    public VqaNetConfig {
        if (questionVocab < 1 || embedDim < 1 || hiddenDim < 1 || lstmLayers < 1 || featureDim < 1 || fusedDim < 1 || answers < 1) {
            throw new IllegalArgumentException("VqaNetConfig sizes must be positive: " + this);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("VqaNetConfig dropout must be in [0, 1): " + dropout);
        }
    }

    /** The benchmark shapes: 300-d embeddings, 2-layer LSTM 512, fused 1024, dropout 0.5. */
    public static VqaNetConfig standard(int questionVocab, int featureDim, int answers) {
        return new VqaNetConfig(questionVocab, 300, 512, 2, featureDim, 1024, answers, 0.5);
    }
}

package dev.glimpse.captioning.net;

/**
 * Shape of a {@link CaptionNet}. {@code gridDim} and {@code attentionDim} matter only with
 * {@code attention} (they may be 0 without it).
 *
 * @param vocabSize    output and input vocabulary, special ids included
 * @param featureDim   pooled image feature F
 * @param gridDim      grid vector size C (attention keys/values come from [R, C] grids)
 * @param embedDim     word embedding and image projection size E
 * @param hiddenDim    LSTM hidden size H (every layer)
 * @param layers       stacked LSTM layers, 1 or more
 * @param attentionDim attention projection size D
 * @param attention    whether the output layer also sees an attention context over the grid
 * @param dropout      drop probability after every LSTM layer in training, in [0, 1)
 */
public record CaptionNetConfig(int vocabSize, int featureDim, int gridDim, int embedDim, int hiddenDim,
                               int layers, int attentionDim, boolean attention, double dropout) {
    public CaptionNetConfig {
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

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}

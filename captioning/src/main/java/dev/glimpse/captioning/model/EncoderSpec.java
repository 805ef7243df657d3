package dev.glimpse.captioning.model;

import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.encoder.EncoderRequest;
import java.nio.file.Path;

/**
 * Which image encoder a caption model was trained on, enough to open the same one again at
 * inference: the name, the weights file (or random weights from {@code seed}), and the encoder's
 * own description (dimensions, grid, preprocessing) to check features against. Using a different
 * encoder or preprocessing at inference is the classic cause of "the same caption for every image".
 *
 * @param weights   file the weights came from when trained, null for the encoder's default or random weights
 * @param inputSize square input side the encoder was opened with (0 = the network's default)
 */
public record EncoderSpec(String name, String weights, boolean randomInit, long seed, int inputSize, EncoderInfo info) {
    /** The request that opens this encoder again. */
    public EncoderRequest request() {
        return new EncoderRequest(name, weights == null ? null : Path.of(weights), randomInit, seed, inputSize);
    }

    public EncoderSpec withInfo(EncoderInfo i) {
        return new EncoderSpec(name, weights, randomInit, seed, inputSize, i);
    }
}

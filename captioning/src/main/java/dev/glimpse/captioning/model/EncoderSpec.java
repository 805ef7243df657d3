package dev.glimpse.captioning.model;

import dev.glimpse.common.encoder.EncoderInfo;

/**
 * Which image encoder a caption model was trained on, enough to open the same one again at
 * inference: the name, the weights file (or random weights from {@code seed}), and the encoder's
 * own description (dimensions, grid, preprocessing) to check features against. Using a different
 * encoder or preprocessing at inference is the classic cause of "the same caption for every image".
 *
 * @param weights file the weights came from when trained, null for the encoder's default or random weights
 */
public record EncoderSpec(String name, String weights, boolean randomInit, long seed, EncoderInfo info) {}

package dev.glimpse.app.service;

import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.common.GlimpseException;

/**
 * How captions are decoded, the same defaults and limits for the command line and the server.
 *
 * @param beam        beam width, 1 = greedy
 * @param maxWords    at most this many words (the decoder also spends a step on {@code <end>})
 * @param lengthAlpha length normalisation of beam scores: log p / length^alpha
 */
public record CaptionSettings(int beam, int maxWords, double lengthAlpha) {
    public static final int DEFAULT_BEAM = 3;
    public static final int MAX_BEAM = 20;
    public static final int DEFAULT_MAX_WORDS = 20;
    public static final int MAX_WORDS = 100;
    public static final CaptionSettings DEFAULT = new CaptionSettings(DEFAULT_BEAM, DEFAULT_MAX_WORDS, 0);

    public CaptionSettings {
        if (beam < 1 || beam > MAX_BEAM) {
            throw new GlimpseException("beam: must be between 1 and " + MAX_BEAM + ", got " + beam);
        }
        if (maxWords < 1 || maxWords > MAX_WORDS) {
            throw new GlimpseException("max-length: must be between 1 and " + MAX_WORDS + ", got " + maxWords);
        }
        if (!(lengthAlpha >= 0 && lengthAlpha <= 5)) {
            throw new GlimpseException("length-alpha: must be between 0 and 5, got " + lengthAlpha);
        }
    }

    public DecodeOptions decodeOptions() {
        return new DecodeOptions(beam, maxWords + 1, lengthAlpha, true);
    }
}

package dev.glimpse.captioning.decode;

/**
 * How captions are decoded, one typed value instead of loose flags (ruotianluo's two different
 * beam-size defaults are the cautionary tale).
 *
 * @param beamWidth   beams kept per image; 1 means greedy decoding
 * @param maxLength   step cap: at most this many tokens are generated per caption, {@code <end>}
 *                    included; a caption that has not ended by then is cut there
 * @param lengthAlpha length normalisation of finished captions: score = log p / length^alpha
 *                    (length = words + 1 for {@code <end>}); 0 ranks by plain log probability
 * @param suppressUnk never emit the {@code <unk>} token
 */
public record DecodeOptions(int beamWidth, int maxLength, double lengthAlpha, boolean suppressUnk) {
    public static final int DEFAULT_BEAM = 3;
    public static final int DEFAULT_MAX_LENGTH = 20;

    public DecodeOptions {
        if (beamWidth < 1 || beamWidth > 100) {
            throw new IllegalArgumentException("beam width must be in 1..100, got " + beamWidth);
        }
        if (maxLength < 1 || maxLength > 200) {
            throw new IllegalArgumentException("max length must be in 1..200, got " + maxLength);
        }
        if (!(lengthAlpha >= 0 && lengthAlpha <= 5)) {
            throw new IllegalArgumentException("length alpha must be in 0..5, got " + lengthAlpha);
        }
    }

    public static DecodeOptions defaults() {
        return new DecodeOptions(DEFAULT_BEAM, DEFAULT_MAX_LENGTH, 0, true);
    }

    public static DecodeOptions greedy(int maxLength) {
        return new DecodeOptions(1, maxLength, 0, true);
    }

    public DecodeOptions withBeamWidth(int width) {
        return new DecodeOptions(width, maxLength, lengthAlpha, suppressUnk);
    }

    public DecodeOptions withMaxLength(int length) {
        return new DecodeOptions(beamWidth, length, lengthAlpha, suppressUnk);
    }

    /** The ranking score of a caption with the given summed log probability and token count. */
    double score(double logProb, int tokens) {
        return lengthAlpha == 0 ? logProb : logProb / Math.pow(Math.max(1, tokens), lengthAlpha);
    }
}

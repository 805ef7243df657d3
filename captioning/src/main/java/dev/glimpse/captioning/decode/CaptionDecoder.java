package dev.glimpse.captioning.decode;

import java.util.List;

/** Turns a started {@link DecoderStep} (one row per image) into one caption per image. */
public interface CaptionDecoder {
    List<Decoded> decode(DecoderStep step, int images);

    /** Greedy for beam width 1 (cheaper, same result), beam search otherwise. */
    static CaptionDecoder of(DecodeOptions options) {
        return options.beamWidth() == 1 ? new GreedyDecoder(options) : new BeamSearchDecoder(options);
    }
}

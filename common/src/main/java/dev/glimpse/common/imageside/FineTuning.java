package dev.glimpse.common.imageside;

import dev.glimpse.common.encoder.TunableEncoder;
import dev.glimpse.common.features.FeatureSource;

/**
 * What a trainer needs to fine-tune the encoder: the encoder cut at its split point, the frozen
 * prefix's activations of every image (a split-point feature cache), and the encoder's learning
 * rate as a multiple of the decoder's.
 *
 * @param initFrom a model trained on the frozen encoder whose decoder and feature standardisation the
 *                 run starts from (im2txt's second phase), or null
 */
public record FineTuning(TunableEncoder encoder, FeatureSource splitActivations, double learningRateScale,
                         java.nio.file.Path initFrom) {
    public FineTuning(TunableEncoder encoder, FeatureSource splitActivations, double learningRateScale) {
        this(encoder, splitActivations, learningRateScale, null);
    }

    public FineTuning {
        if (!(learningRateScale > 0) || learningRateScale > 100) {
            throw new IllegalArgumentException("encoder learning-rate scale must be in (0, 100], got " + learningRateScale);
        }
    }
}

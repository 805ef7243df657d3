package dev.glimpse.common.imageside;

import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.encoder.ImageEncoder;
import java.awt.image.BufferedImage;
import java.util.List;

/** An encoder whose features come out standardised as the model was trained on them; info() stays the raw encoder's. */
final class StandardizingEncoder implements ImageEncoder {
    private final ImageEncoder raw;
    private final FeatureStandardizer standardizer;

    StandardizingEncoder(ImageEncoder raw, FeatureStandardizer standardizer) {
        this.raw = raw;
        this.standardizer = standardizer;
    }

    @Override
    public EncoderInfo info() {
        return raw.info();
    }

    @Override
    public EncodedBatch encode(List<BufferedImage> images) {
        return standardizer.apply(raw.encode(images));
    }

    @Override
    public void close() {
        raw.close();
    }
}

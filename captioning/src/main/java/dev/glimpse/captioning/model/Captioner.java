package dev.glimpse.captioning.model;

import dev.glimpse.captioning.decode.CaptionDecoder;
import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.captioning.decode.Decoded;
import dev.glimpse.captioning.decode.Hypothesis;
import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.encoder.Encoders;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.text.Vocabulary;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Captions images with one trained model: loaded once, then images (or precomputed features) in,
 * captions out. It opens the encoder the model was trained on, with the preprocessing saved in the
 * model file, so inference sees images exactly as training did. Not thread-safe (ND4J state and
 * the encoder are reused): a server keeps one per worker.
 */
public final class Captioner implements AutoCloseable {
    /** Images encoded per forward pass: bounded so a directory of photos does not exhaust memory. */
    static final int ENCODE_BATCH = 16;

    private final CaptionModel model;
    private final CaptionNet net;
    private final ImageEncoder encoder;
    private final boolean ownsEncoder;
    private final Path source;

    private Captioner(CaptionModel model, ImageEncoder encoder, boolean ownsEncoder, Path source) {
        this.model = model;
        this.source = source;
        this.net = model.newNet(source);
        this.encoder = encoder;
        this.ownsEncoder = ownsEncoder;
        if (encoder != null) {
            requireSameEncoder(encoder.info(), "the encoder opened for it");
        }
    }

    /** Loads a model file and opens its encoder. */
    public static Captioner open(Path modelFile) {
        CaptionModel model = CaptionModel.read(modelFile);
        ImageEncoder encoder = Encoders.open(model.encoder().request());
        try {
            return new Captioner(model, encoder, true, modelFile);
        } catch (RuntimeException ex) {
            encoder.close();
            throw ex;
        }
    }

    /** A captioner over an encoder the caller already has open (and keeps ownership of). */
    public static Captioner withEncoder(CaptionModel model, ImageEncoder encoder, Path source) {
        return new Captioner(model, encoder, false, source);
    }

    /** A captioner for precomputed features only; {@link #caption(List, DecodeOptions)} is then unavailable. */
    public static Captioner featuresOnly(CaptionModel model, Path source) {
        return new Captioner(model, null, false, source);
    }

    public CaptionModel model() {
        return model;
    }

    public List<Caption> caption(List<BufferedImage> images, DecodeOptions options) {
        if (encoder == null) {
            throw new IllegalStateException("this captioner was opened for precomputed features only");
        }
        List<Caption> out = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += ENCODE_BATCH) {
            List<BufferedImage> part = images.subList(from, Math.min(images.size(), from + ENCODE_BATCH));
            EncodedBatch enc = encoder.encode(part);
            out.addAll(caption(enc.pooled(), enc.grid(), options)); // [B, F], [B, R, C]
        }
        return out;
    }

    public Caption caption(BufferedImage image, DecodeOptions options) {
        return caption(List.of(image), options).get(0);
    }

    /**
     * Captions images by id from a feature cache or any other source; its encoder must be the
     * model's (name, dimensions, preprocessing, weights), otherwise the captions would be noise.
     */
    public List<Caption> caption(FeatureSource features, long[] ids, DecodeOptions options) {
        requireSameEncoder(features.info(), "the features given");
        return caption(features.pooled(ids), model.net().attention() ? features.grid(ids) : null, options);
    }

    /** Captions one batch of encoded images. */
    public List<Caption> caption(INDArray pooled, INDArray grid, DecodeOptions options) {
        int n = (int) pooled.size(0);
        FeatureNorm norm = model.norm();
        INDArray p = norm == null ? pooled : norm.pooled(pooled); // [B, F]
        INDArray g = !model.net().attention() ? null : norm == null ? grid : norm.grid(grid); // [B, R, C]
        NetDecoderStep step = new NetDecoderStep(net, p, g);
        List<Decoded> decoded = CaptionDecoder.of(options).decode(step, n);
        EncoderInfo info = model.encoder().info();
        List<Caption> out = new ArrayList<>(n);
        for (Decoded d : decoded) {
            List<Caption.Alternative> alts = new ArrayList<>();
            for (Hypothesis h : d.alternatives()) {
                alts.add(new Caption.Alternative(text(h.words()), h.score()));
            }
            Hypothesis best = d.best();
            out.add(new Caption(text(best.words()), words(best.words()), best.score(), best.ended(), alts,
                    best.attention(), info.gridRows(), info.gridCols()));
        }
        return out;
    }

    private String text(int[] ids) {
        return String.join(" ", words(ids));
    }

    private List<String> words(int[] ids) {
        Vocabulary v = model.vocabulary();
        return Arrays.stream(ids).mapToObj(v::word).toList();
    }

    private void requireSameEncoder(EncoderInfo actual, String what) {
        EncoderInfo expected = model.encoder().info();
        if (!expected.sameFeatures(actual)) {
            throw new GlimpseException(source + ": the model was trained on features of " + expected.describe()
                    + " but " + what + " come from " + actual.describe() + " (differs in "
                    + String.join("; ", RecordDiff.of(expected, actual)) + ")");
        }
    }

    @Override
    public void close() {
        if (ownsEncoder && encoder != null) {
            encoder.close();
        }
    }
}

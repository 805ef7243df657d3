package dev.glimpse.captioning.model;

import dev.glimpse.captioning.decode.CaptionDecoder;
import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.captioning.decode.Decoded;
import dev.glimpse.captioning.decode.Hypothesis;
import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.common.nn.Bf16RowProduct;
import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.imageside.EncoderAccess;
import dev.glimpse.common.imageside.FeatureStandardizer;
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
    private boolean bf16;

    private Captioner(CaptionModel model, ImageEncoder encoder, boolean ownsEncoder, Path source) {
        this.model = model;
        this.source = source;
        this.net = model.newNet(source);
        this.encoder = encoder;
        this.ownsEncoder = ownsEncoder;
    }

    /**
     * Loads a model file and opens its encoder (features come out standardised).
     *
     * @param access what the user allowed for reopening the encoder (a local weights file, downloads)
     */
    public static Captioner open(Path modelFile, EncoderAccess access) {
        return of(CaptionModel.read(modelFile), modelFile, access);
    }

    /** A captioner over a model already in memory, opening its encoder. */
    public static Captioner of(CaptionModel model, Path modelFile, EncoderAccess access) {
        return new Captioner(model, model.imageSide().open(access, modelFile), true, modelFile);
    }

    /** A captioner for precomputed features only; {@link #caption(List, DecodeOptions)} is then unavailable. */
    public static Captioner featuresOnly(CaptionModel model, Path source) {
        return new Captioner(model, null, false, source);
    }

    public CaptionModel model() {
        return model;
    }

    /**
     * Whether captions of one image at a time decoded greedily ({@code beamWidth} 1) stream the decoder's
     * weights as bfloat16 (see {@link CaptionNet#decodeInBf16}); ignored on a CPU without AVX512_BF16, where
     * the format is emulated and slower. Beam search (whose first step has one row too, but ranks the k best
     * words, which only float guarantees) and batches of images are not affected.
     */
    public Captioner decodeInBf16(boolean on) {
        bf16 = on && Bf16RowProduct.supported();
        return this;
    }

    public List<Caption> caption(List<BufferedImage> images, DecodeOptions options) {
        if (encoder == null) {
            throw new IllegalStateException("this captioner was opened for precomputed features only");
        }
        List<Caption> out = new ArrayList<>(images.size());
        for (int from = 0; from < images.size(); from += ENCODE_BATCH) {
            List<BufferedImage> part = images.subList(from, Math.min(images.size(), from + ENCODE_BATCH));
            EncodedBatch enc = encoder.encode(part); // standardised
            out.addAll(decode(enc.pooled(), enc.grid(), options)); // [B, F], [B, R, C]
        }
        return out;
    }

    public Caption caption(BufferedImage image, DecodeOptions options) {
        return caption(List.of(image), options).get(0);
    }

    /**
     * Captions images by id from a feature cache or any other source of raw features; its encoder
     * must be the model's (name, dimensions, preprocessing, weights), otherwise the captions would be noise.
     */
    public List<Caption> caption(FeatureSource rawFeatures, long[] ids, DecodeOptions options) {
        FeatureSource features = model.imageSide().features(rawFeatures, source);
        return decode(features.pooled(ids), model.net().attention() ? features.grid(ids) : null, options);
    }

    /** Captions one batch of images from their raw encoder features: pooled [B, F], grid [B, R, C] (or null). */
    public List<Caption> caption(INDArray rawPooled, INDArray rawGrid, DecodeOptions options) {
        FeatureStandardizer s = model.imageSide().standardizer();
        return decode(s.pooled(rawPooled), model.net().attention() ? s.grid(rawGrid) : null, options);
    }

    /** Captions one batch of standardised features. */
    private List<Caption> decode(INDArray pooled, INDArray grid, DecodeOptions options) {
        int n = (int) pooled.size(0);
        net.decodeInBf16(bf16 && options.beamWidth() == 1);
        NetDecoderStep step = new NetDecoderStep(net, pooled, model.net().attention() ? grid : null);
        List<Decoded> decoded = CaptionDecoder.of(options).decode(step, n);
        EncoderInfo info = model.imageSide().encoder();
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

    @Override
    public void close() {
        if (ownsEncoder && encoder != null) {
            encoder.close();
        }
    }
}

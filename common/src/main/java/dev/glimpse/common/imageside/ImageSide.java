package dev.glimpse.common.imageside;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.bundle.ModelLimits;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.encoder.Encoders;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.io.RecordDiff;
import dev.glimpse.common.encoder.TunedWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a model knows about the image side, written and read the same way for the captioner
 * and the VQA model: the encoder its features come from ({@link EncoderInfo}: network, weights
 * identity, seed, input size and the preprocessing, which is applied from here when the encoder is
 * opened again, never rebuilt) and the feature standardisation fitted on its training images.
 * {@link #open} yields an encoder whose features are already standardised; {@link #features}
 * does the same for a feature cache, after checking it holds features of this encoder.
 *
 * <p>Model-file entries: {@value #ENTRY}.json ({@code {"encoder": EncoderInfo}}) and float arrays
 * {@code image_side.pooled_mean|pooled_std|grid_mean|grid_std}. Models written before this record
 * existed are read too: the captioner's {@code encoder.json} (name, weights, seed, input size, info)
 * with {@code norm.*} arrays of standard deviations, and the VQA model's {@code encoder.json}
 * (an EncoderInfo) with {@code feature_mean} and {@code feature_scale} (1 / standard deviation).
 *
 * <p>A model whose encoder was fine-tuned also holds {@code tuned} ({@link TunedWeights}: only the
 * tuned parameters, with the sha256 of the base values they started from) as {@value #TUNED}.json
 * (mode, split, base checksum, parameter names) and float arrays {@code image_side.tuned.<i>};
 * opening the encoder puts them in place of the base weights. Its features differ from the base
 * encoder's, so such a model never reads a feature cache.
 *
 * @param tuned the fine-tuned encoder parameters, or null (a frozen encoder)
 */
public record ImageSide(EncoderInfo encoder, FeatureStandardizer standardizer, TunedWeights tuned) {
    static final String ENTRY = "image_side";
    static final String TUNED = "image_side_tuned";
    private static final String POOLED_MEAN = ENTRY + ".pooled_mean";
    private static final String POOLED_STD = ENTRY + ".pooled_std";
    private static final String GRID_MEAN = ENTRY + ".grid_mean";
    private static final String GRID_STD = ENTRY + ".grid_std";

    /** A frozen encoder's image side. */
    public ImageSide(EncoderInfo encoder, FeatureStandardizer standardizer) {
        this(encoder, standardizer, null);
    }

    /** This image side with the encoder's fine-tuned parameters. */
    public ImageSide withTuned(TunedWeights newTuned) {
        return new ImageSide(encoder, standardizer, newTuned);
    }

    public ImageSide {
        if (encoder == null || standardizer == null) {
            throw new IllegalArgumentException("an image side needs an encoder and a standardizer");
        }
        if (standardizer.pooledMean().length != encoder.pooledDim()
                || standardizer.hasGrid() && standardizer.gridMean().length != encoder.gridDim()) {
            throw new IllegalArgumentException("feature statistics do not match the encoder's feature sizes");
        }
    }

    /** The image side of a model trained on {@code features}: standardisation fitted on the training images. */
    public static ImageSide fit(FeatureSource features, long[] trainImageIds, boolean withGrid) {
        return new ImageSide(features.info(), FeatureStandardizer.fit(features, trainImageIds, withGrid), features.tuned());
    }

    /**
     * Opens the encoder again, with the preprocessing recorded here, and checks that it gives the
     * features the model was trained on.
     *
     * @param model the model file, for messages
     */
    public ImageEncoder open(EncoderAccess access, Path model) {
        return new StandardizingEncoder(openRaw(access, model), standardizer);
    }

    /**
     * The encoder as {@link #open} opens it (base weights, then any tuned parameters), without the
     * standardisation: features for training another model on this model's (fine-tuned) encoder.
     */
    public ImageEncoder openRaw(EncoderAccess access, Path model) {
        if (encoder.localWeights() && access.weightsFile() == null) {
            throw new GlimpseException(model + ": the model was trained on features of the weights file "
                    + encoder.weightsSource() + " (sha256 " + encoder.weightsSha256() + "); pass it with --encoder-weights FILE");
        }
        ImageEncoder raw = Encoders.open(encoder.request(access.weightsFile(), access.allowDownload()), encoder.preprocess(), tuned);
        try {
            requireSame(raw.info(), model, "the encoder opened now");
            return raw;
        } catch (RuntimeException e) {
            raw.close();
            throw e;
        }
    }

    /** Standardised features from a cache or another source, which must hold this encoder's features. */
    public FeatureSource features(FeatureSource raw, Path model) {
        if (tuned != null && !tuned.sameValues(raw.tuned())) {
            throw new GlimpseException(model + ": the model fine-tuned its encoder (" + tuned.mode() + "), so features"
                    + " cached from the base encoder do not fit it; give the images instead of a feature cache");
        }
        if (tuned == null && raw.tuned() != null) {
            throw new GlimpseException(model + ": the features given come through a fine-tuned encoder (" + raw.tuned().mode()
                    + "), the model was trained on the base encoder's");
        }
        requireSame(raw.info(), model, "the features given");
        return standardizer.wrap(raw);
    }

    /** Fails with the fields that differ when {@code actual} is not the encoder the model was trained on. */
    public void requireSame(EncoderInfo actual, Path model, String what) {
        if (!encoder.sameFeatures(actual)) {
            throw new GlimpseException(model + ": the model was trained on features of " + encoder.describe() + " but "
                    + what + " come from " + (actual == null ? "no encoder" : actual.describe()) + " (differs in "
                    + String.join("; ", RecordDiff.of(encoder, actual)) + ")");
        }
    }

    // ---- model file ----

    record Entry(EncoderInfo encoder) {}

    public ModelBundle.Writer addTo(ModelBundle.Writer w) {
        w.json(ENTRY, new Entry(encoder))
                .floats(POOLED_MEAN, standardizer.pooledMean())
                .floats(POOLED_STD, standardizer.pooledStd());
        if (standardizer.hasGrid()) {
            w.floats(GRID_MEAN, standardizer.gridMean()).floats(GRID_STD, standardizer.gridStd());
        }
        if (tuned != null) {
            List<String> names = new ArrayList<>(tuned.values().keySet());
            w.json(TUNED, new TunedEntry(tuned.mode(), tuned.split(), tuned.baseSha256(), names));
            for (int i = 0; i < names.size(); i++) {
                w.floats(TUNED + "." + i, tuned.values().get(names.get(i)));
            }
        }
        return w;
    }

    record TunedEntry(String mode, String split, String baseSha256, List<String> parameters) {}

    /** The tuned parameters of a model file, or null; names and counts checked before anything is allocated for them. */
    private static TunedWeights readTuned(ModelBundle b, Path file) {
        if (!b.hasJson(TUNED)) {
            return null;
        }
        TunedEntry e = b.json(TUNED, TunedEntry.class);
        String where = file + ": " + TUNED + ".json";
        if (e == null || e.parameters() == null || e.baseSha256() == null || !e.baseSha256().matches("[0-9a-f]{64}")) {
            throw new GlimpseException(where + ": missing parameters or base weights checksum");
        }
        if (e.parameters().size() > 10_000) {
            throw new GlimpseException(where + ": parameters: " + e.parameters().size() + " entries, more than 10000");
        }
        Map<String, float[]> values = new LinkedHashMap<>();
        for (int i = 0; i < e.parameters().size(); i++) {
            String name = e.parameters().get(i);
            if (name == null || !name.matches("[A-Za-z0-9_.\\-]{1,200}/[A-Za-z0-9_]{1,50}") || values.containsKey(name)) {
                throw new GlimpseException(where + ": parameters[" + i + "]: not a vertex/parameter name: " + name);
            }
            if (!b.hasFloats(TUNED + "." + i)) {
                throw new GlimpseException(file + ": " + TUNED + "." + i + ".f32 is missing (parameter " + name + ")");
            }
            values.put(name, ModelLimits.finite(file + ": " + TUNED + "." + i + ".f32", b.floats(TUNED + "." + i)));
        }
        return new TunedWeights(e.mode(), e.split(), e.baseSha256(), values);
    }

    /** True when the bundle describes an image side (a question-only VQA model has none). */
    public static boolean present(ModelBundle b) {
        return b.hasJson(ENTRY) || b.hasJson("encoder");
    }

    /** Reads the image side of a model file, in today's layout or either legacy one. */
    public static ImageSide read(ModelBundle b, Path file) {
        EncoderInfo info;
        FeatureStandardizer std;
        if (b.hasJson(ENTRY)) {
            info = b.json(ENTRY, Entry.class).encoder();
            std = statistics(b, file, POOLED_MEAN, POOLED_STD, GRID_MEAN, GRID_STD);
        } else if (b.hasJson("encoder")) {
            info = legacyInfo(b.jsonTree("encoder"), file);
            std = legacyStandardizer(b, info, file);
        } else {
            throw new GlimpseException(file + ": model file has no image side (" + ENTRY + ".json)");
        }
        if (info == null || info.name() == null || info.preprocess() == null) {
            throw new GlimpseException(file + ": " + ENTRY + ".json: missing encoder name or preprocessing");
        }
        String where = file + ": " + (b.hasJson(ENTRY) ? ENTRY : "encoder") + ".json";
        ModelLimits.inputSize(where + ": encoder.preprocess", info.preprocess().inputSize());
        ModelLimits.dimension(where, "encoder.pooledDim", info.pooledDim(), ModelLimits.MAX_FEATURE_DIM);
        ModelLimits.dimension(where, "encoder.gridDim", info.gridDim(), ModelLimits.MAX_FEATURE_DIM);
        try {
            return new ImageSide(info, std, readTuned(b, file));
        } catch (IllegalArgumentException e) {
            throw new GlimpseException(file + ": image side: " + e.getMessage());
        }
    }

    /** Captioner: {name, weights, randomInit, seed, inputSize, info}; VQA: the EncoderInfo itself. */
    private static EncoderInfo legacyInfo(JsonNode node, Path file) {
        try {
            if (node.has("info")) {
                EncoderInfo i = Json.MAPPER.treeToValue(node.get("info"), EncoderInfo.class);
                if (i != null && i.randomInit() && i.seed() == null && node.has("seed")) {
                    i = new EncoderInfo(i.name(), i.pooledDim(), i.gridRows(), i.gridCols(), i.gridDim(), i.preprocess(),
                            true, i.weightsSource(), i.weightsSha256(), i.gridLayer(), i.pooledLayer(), i.featureNorm(),
                            node.get("seed").asLong());
                }
                return i;
            }
            return Json.MAPPER.treeToValue(node, EncoderInfo.class);
        } catch (java.io.IOException | IllegalArgumentException e) {
            throw new GlimpseException(file + ": encoder.json is invalid: " + e.getMessage());
        }
    }

    /** Means finite, standard deviations finite and positive, each named by its entry. */
    private static FeatureStandardizer statistics(ModelBundle b, Path file, String pooledMean, String pooledStd,
                                                  String gridMean, String gridStd) {
        boolean grid = b.hasFloats(gridMean) || b.hasFloats(gridStd);
        return new FeatureStandardizer(ModelLimits.finite(file + ": " + pooledMean + ".f32", b.floats(pooledMean)),
                ModelLimits.positiveFinite(file + ": " + pooledStd + ".f32", b.floats(pooledStd)),
                grid ? ModelLimits.finite(file + ": " + gridMean + ".f32", b.floats(gridMean)) : null,
                grid ? ModelLimits.positiveFinite(file + ": " + gridStd + ".f32", b.floats(gridStd)) : null);
    }

    private static FeatureStandardizer legacyStandardizer(ModelBundle b, EncoderInfo info, Path file) {
        if (b.hasFloats("norm.pooled.mean")) {
            return statistics(b, file, "norm.pooled.mean", "norm.pooled.std", "norm.grid.mean", "norm.grid.std");
        }
        if (b.hasFloats("feature_mean")) {
            ModelLimits.finite(file + ": feature_mean.f32", b.floats("feature_mean"));
            float[] scale = ModelLimits.positiveFinite(file + ": feature_scale.f32", b.floats("feature_scale"));
            float[] std = new float[scale.length];
            for (int i = 0; i < std.length; i++) {
                std[i] = 1f / scale[i];
            }
            return new FeatureStandardizer(b.floats("feature_mean"), std, null, null);
        }
        // The earliest models trained on raw features: the identity standardisation.
        return FeatureStandardizer.identity(info.pooledDim(), info.gridDim());
    }
}

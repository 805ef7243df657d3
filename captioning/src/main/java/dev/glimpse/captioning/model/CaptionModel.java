package dev.glimpse.captioning.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.captioning.net.CaptionNetConfig;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.bundle.ModelLimits;
import dev.glimpse.common.imageside.ImageSide;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.text.Vocabulary;
import dev.glimpse.common.train.TrainingRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One trained captioner as it lives in a model file (a {@link ModelBundle} of kind
 * {@value #KIND}): the network's parameters and architecture, the frozen vocabulary, the encoder
 * it was trained on, and how it was trained. Everything inference needs travels in this one file.
 */
public record CaptionModel(CaptionNetConfig net, Vocabulary vocabulary, ImageSide imageSide,
                           TrainingRecord training, float[] params) {
    public static final String KIND = "captioner";
    static final String NET = "net";
    static final String VOCABULARY = "vocabulary";
    static final String TRAINING = "training";
    static final String PARAMS = "params";

    /** The saved vocabulary: the words in id order and their hash, checked on load. */
    record VocabularyEntry(List<String> words, String sha256) {}

    /** Adds this model's entries to a bundle being written (checkpoints add optimizer state). */
    public ModelBundle.Writer addTo(ModelBundle.Writer w) {
        imageSide.addTo(w);
        return w.json(NET, net)
                .json(VOCABULARY, new VocabularyEntry(vocabulary.words(), vocabulary.sha256()))
                .json(TRAINING, training)
                .floats(PARAMS, params);
    }

    public void write(Path file) throws IOException {
        addTo(ModelBundle.writer(KIND)).write(file);
    }

    public static CaptionModel read(Path file) {
        return from(ModelBundle.read(file), file);
    }

    /** Reads and checks the entries of a captioner bundle: every mismatch is named. */
    public static CaptionModel from(ModelBundle bundle, Path file) {
        bundle.requireKind(KIND);
        CaptionNetConfig net = bundle.json(NET, CaptionNetConfig.class).validate(file + ": " + NET + ".json");
        VocabularyEntry v = bundle.json(VOCABULARY, VocabularyEntry.class);
        Vocabulary vocabulary = Vocabulary.of(v.words(), file + ": " + VOCABULARY + ".json: words");
        if (v.sha256() != null && !v.sha256().equals(vocabulary.sha256())) {
            throw new GlimpseException(file + ": vocabulary.json: sha256 does not match its words (file damaged?)");
        }
        if (vocabulary.size() != net.vocabSize()) {
            throw new GlimpseException(file + ": vocabulary has " + vocabulary.size()
                    + " words but the network expects " + net.vocabSize());
        }
        ImageSide imageSide = ImageSide.read(bundle, file);
        if (imageSide.encoder().pooledDim() != net.featureDim()
                || net.attention() && (imageSide.encoder().gridDim() != net.gridDim() || !imageSide.standardizer().hasGrid())) {
            throw new GlimpseException(file + ": the image side (" + imageSide.encoder().describe()
                    + ") does not match the network's feature sizes in net.json");
        }
        TrainingRecord training = bundle.json(TRAINING, TrainingRecord.class);
        String paramsEntry = file + ": " + PARAMS + ".f32";
        float[] params = ModelLimits.finite(paramsEntry,
                ModelLimits.length(paramsEntry, bundle.floats(PARAMS), net.parameterCount()));
        return new CaptionModel(net, vocabulary, imageSide, training, params);
    }

    /** A network with these parameters; a parameter count that does not fit is a clear error. */
    public CaptionNet newNet(Path source) {
        CaptionNet n = new CaptionNet(net, 0);
        long expected = n.params().size();
        if (expected != params.length) {
            throw new GlimpseException(source + ": params.f32 has " + params.length
                    + " values, the network described in net.json needs " + expected);
        }
        n.params().copyFrom(params);
        return n;
    }

    /** The training configuration as saved, for display. */
    public JsonNode trainingConfig() {
        return Json.MAPPER.valueToTree(training.config());
    }
}

package dev.glimpse.vqa;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.encoder.EncoderRequest;
import dev.glimpse.common.encoder.Encoders;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.io.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Answers questions about images with a trained {@link VqaModel}: the image goes through the same
 * encoder (name, weights, preprocessing) the model's features came from, the question through
 * the model's vocabulary and length limit. {@link #answer} is {@link #answerBatch} of one item,
 * so there is one path. Not thread-safe (the encoder is not); close it to release the encoder.
 */
public final class VqaPredictor implements AutoCloseable {
    private final VqaModel model;
    private final ImageEncoder encoder;

    public VqaPredictor(VqaModel model, ImageEncoder encoder) {
        if (encoder == null && !model.questionOnly()) {
            throw new IllegalArgumentException("a model that looks at images needs an encoder");
        }
        this.model = model;
        this.encoder = encoder;
    }

    /**
     * Loads a model file and opens the encoder it was trained with.
     *
     * @param encoderWeights the weights file, needed only when the model was trained on features
     *                       of a local weights file (its sha256 must match); else null
     */
    public static VqaPredictor open(Path modelFile, Path encoderWeights) {
        VqaModel model = VqaModel.load(modelFile);
        if (model.questionOnly()) {
            return new VqaPredictor(model, null);
        }
        EncoderInfo info = encoderInfo(model, modelFile);
        ImageEncoder encoder = Encoders.open(request(info, encoderWeights, modelFile));
        try {
            if (!encoder.info().sameFeatures(info)) {
                throw new GlimpseException(modelFile + ": the encoder opened now (" + encoder.info().describe()
                        + ") differs from the one the model was trained with (" + info.describe() + ")");
            }
            return new VqaPredictor(model, encoder);
        } catch (RuntimeException e) {
            encoder.close();
            throw e;
        }
    }

    static EncoderInfo encoderInfo(VqaModel model, Path modelFile) {
        if (model.encoder() == null) {
            throw new GlimpseException(modelFile + ": model file names no image encoder");
        }
        try {
            return Json.MAPPER.treeToValue(model.encoder(), EncoderInfo.class);
        } catch (java.io.IOException e) {
            throw new GlimpseException(modelFile + ": encoder entry is invalid: " + e.getMessage());
        }
    }

    /** The request that reopens the encoder a model's features came from. */
    static EncoderRequest request(EncoderInfo info, Path encoderWeights, Path modelFile) {
        int size = info.preprocess().inputSize();
        String source = info.weightsSource() == null ? "" : info.weightsSource();
        if (info.randomInit()) {
            String seed = source.substring(source.indexOf('=') + 1).trim();
            try {
                return EncoderRequest.randomInit(info.name(), Long.parseLong(seed)).withInputSize(size);
            } catch (NumberFormatException e) {
                throw new GlimpseException(modelFile + ": encoder weights source \"" + source + "\" has no seed");
            }
        }
        if (encoderWeights != null) {
            return new EncoderRequest(info.name(), encoderWeights, false, EncoderRequest.DEFAULT_SEED, size);
        }
        if (source.startsWith("zoo:")) {
            return EncoderRequest.pretrained(info.name()).withInputSize(size);
        }
        throw new GlimpseException(modelFile + ": the model was trained on features of the weights file " + source
                + "; pass it with --encoder-weights");
    }

    public VqaModel model() {
        return model;
    }

    public List<ScoredAnswer> answer(BufferedImage image, String question, int k) {
        return answerBatch(List.of(image), List.of(question), k).get(0);
    }

    /** The k most probable answers for each (image, question) pair. */
    public List<List<ScoredAnswer>> answerBatch(List<BufferedImage> images, List<String> questions, int k) {
        if (images.size() != questions.size() || images.isEmpty()) {
            throw new IllegalArgumentException("need as many images as questions, at least one");
        }
        if (k < 1) {
            throw new GlimpseException("--top must be at least 1, got " + k);
        }
        int[][] ids = new int[questions.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = model.questions().encode(questions.get(i)); // GlimpseException for empty / too long
        }
        INDArray features = model.questionOnly()
                ? new BlindFeatures().pooled(new long[images.size()])          // [B, 1]
                : encoder.encode(images).pooled();                              // [B, F]
        return model.topAnswers(features, ids, k);
    }

    @Override
    public void close() {
        if (encoder != null) {
            encoder.close();
        }
    }
}

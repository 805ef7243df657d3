package dev.glimpse.vqa;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.imageside.EncoderAccess;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import dev.glimpse.vqa.net.VqaNet;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
     * Loads a model file and opens the encoder it was trained with (features come out standardised).
     *
     * @param access what the user allowed for reopening the encoder (a local weights file, downloads)
     */
    public static VqaPredictor open(Path modelFile, EncoderAccess access) {
        return of(VqaModel.load(modelFile), modelFile, access);
    }

    /** A predictor over a model already in memory, opening its encoder. */
    public static VqaPredictor of(VqaModel model, Path modelFile, EncoderAccess access) {
        if (model.questionOnly()) {
            return new VqaPredictor(model, null);
        }
        return new VqaPredictor(model, model.imageSide().open(access, modelFile));
    }

    public VqaModel model() {
        return model;
    }

    public List<ScoredAnswer> answer(BufferedImage image, String question, int k) {
        return answerBatch(List.of(image), List.of(question), k).get(0);
    }

    /** The k most probable answers for each (image, question) pair; an over-long question is an error. */
    public List<List<ScoredAnswer>> answerBatch(List<BufferedImage> images, List<String> questions, int k) {
        if (images.size() != questions.size() || images.isEmpty()) {
            throw new IllegalArgumentException("need as many images as questions, at least one");
        }
        int[] imageOf = new int[questions.size()];
        for (int i = 0; i < imageOf.length; i++) {
            imageOf[i] = i;
        }
        return answer(images, imageOf, questions, k, false);
    }

    /**
     * The k most probable answers of each question about one of {@code images} (each image encoded
     * once, whatever the number of its questions).
     *
     * @param imageOf  for each question, the index of its image
     * @param truncate cut questions over the length limit (answer every question of a data set)
     *                 instead of refusing them
     */
    public List<List<ScoredAnswer>> answer(List<BufferedImage> images, int[] imageOf, List<String> questions, int k,
                                           boolean truncate) {
        if (imageOf.length != questions.size() || questions.isEmpty()) {
            throw new IllegalArgumentException("need an image index per question, at least one question");
        }
        if (k < 1) {
            throw new GlimpseException("--top must be at least 1, got " + k);
        }
        int[][] ids = new int[questions.size()][];
        for (int i = 0; i < ids.length; i++) {
            // GlimpseException for an empty or (unless truncating) too long question
            ids[i] = truncate ? model.questions().encodeTruncating(questions.get(i)) : model.questions().encode(questions.get(i));
            if (ids[i].length == 0) {
                ids[i] = new int[] {dev.glimpse.common.text.Vocabulary.UNK};
            }
        }
        INDArray features;
        VqaNet.Grids grids = null;
        if (model.questionOnly()) {
            features = new BlindFeatures().pooled(new long[questions.size()]);          // [Q, 1]
        } else {
            var encoded = encoder.encode(images);                                      // standardised
            features = Nd4j.pullRows(encoded.pooled(), 1, imageOf);                    // [Q, F]
            grids = model.networkGrids(encoded.grid(), imageOf);                       // [N, R, C] or null
        }
        return model.topAnswers(features, grids, ids, k);
    }

    @Override
    public void close() {
        if (encoder != null) {
            encoder.close();
        }
    }
}

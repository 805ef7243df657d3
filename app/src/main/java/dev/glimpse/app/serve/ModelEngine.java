package dev.glimpse.app.serve;

import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.captioning.model.Caption;
import dev.glimpse.captioning.model.Captioner;
import dev.glimpse.vqa.ScoredAnswer;
import dev.glimpse.vqa.VqaPredictor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The server's engine over the same predictors `glimpse caption` and `glimpse ask` use. */
public final class ModelEngine implements InferenceEngine, AutoCloseable {
    private final Captioner captioner;
    private final VqaPredictor vqa;
    private final Map<String, Object> info;

    /** Either may be null (that endpoint then answers 404); the engine closes both. */
    public ModelEngine(Captioner captioner, VqaPredictor vqa, Map<String, Object> info) {
        this.captioner = captioner;
        this.vqa = vqa;
        this.info = Map.copyOf(info);
    }

    @Override
    public boolean hasCaptioner() {
        return captioner != null;
    }

    @Override
    public boolean hasVqa() {
        return vqa != null;
    }

    @Override
    public CaptionResponse caption(BufferedImage image, int beam) {
        long t0 = System.nanoTime();
        Caption c = captioner.caption(image, DecodeOptions.defaults().withBeamWidth(beam));
        List<WordAttention> words = new ArrayList<>();
        for (int i = 0; i < c.tokens().size(); i++) {
            float[] w = c.attention() == null || i >= c.attention().length ? new float[0] : c.attention()[i];
            words.add(new WordAttention(c.tokens().get(i), w));
        }
        List<Alternative> alts = new ArrayList<>();
        alts.add(new Alternative(c.text(), c.score()));
        for (Caption.Alternative a : c.alternatives()) {
            alts.add(new Alternative(a.text(), a.score()));
        }
        return new CaptionResponse(c.text(), c.score(), alts, words, c.gridRows(), c.gridCols(),
                (System.nanoTime() - t0) / 1e6);
    }

    @Override
    public AskResponse ask(BufferedImage image, String question, int top) {
        long t0 = System.nanoTime();
        List<Answer> answers = new ArrayList<>();
        for (ScoredAnswer a : vqa.answer(image, question, top)) {
            answers.add(new Answer(a.answer(), a.probability()));
        }
        return new AskResponse(question, answers, (System.nanoTime() - t0) / 1e6);
    }

    @Override
    public Map<String, Object> info() {
        return new LinkedHashMap<>(info);
    }

    @Override
    public void close() {
        if (captioner != null) {
            captioner.close();
        }
        if (vqa != null) {
            vqa.close();
        }
    }
}

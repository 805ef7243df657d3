package dev.glimpse.app.service;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.imageside.EncoderAccess;
import dev.glimpse.datasets.ReadOptions;
import dev.glimpse.datasets.VqaCorpus;
import dev.glimpse.datasets.VqaImage;
import dev.glimpse.datasets.VqaQuestion;
import dev.glimpse.vqa.ScoredAnswer;
import dev.glimpse.vqa.VqaModel;
import dev.glimpse.vqa.VqaPredictor;
import dev.glimpse.datasets.VqaReader;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The VQA service over one model file. */
public final class LocalVqaService implements VqaService {
    /** Images decoded and encoded together when answering a whole questions file. */
    static final int CHUNK = 16;

    private final Path file;
    private final VqaPredictor predictor;
    private final ImageLoader loader;

    private LocalVqaService(Path file, VqaPredictor predictor, ImageLoader loader) {
        this.file = file;
        this.predictor = predictor;
        this.loader = loader;
    }

    public static LocalVqaService open(Path model, EncoderAccess access, ImageLoader loader) {
        return new LocalVqaService(model, VqaPredictor.open(model, access), loader);
    }

    public VqaModel model() {
        return predictor.model();
    }

    @Override
    public AskResult ask(AskRequest request) {
        predictor.model().questions().encode(request.question()); // a bad question fails before the image is read
        BufferedImage img = request.image().load(loader);
        List<AskResult.Answer> answers = new ArrayList<>();
        for (ScoredAnswer a : predictor.answer(img, request.question(), request.top())) {
            answers.add(new AskResult.Answer(a.answer(), a.probability()));
        }
        return new AskResult(file.toString(), request.image().name(), request.question(), answers);
    }

    /**
     * The model's answer to every question of a VQA questions file (question id -> answer), in one
     * process: each image is decoded and encoded once, its questions answered together. Questions
     * over the model's length limit are cut rather than refused, so every question gets an answer
     * to score; an image that cannot be read is reported and its questions left out.
     */
    public Map<Long, String> answerFile(Path questions, Path images, PrintWriter err) {
        VqaCorpus corpus = VqaReader.read(questions, null, images, ReadOptions.DEFAULT);
        Map<Long, List<VqaQuestion>> byImage = new LinkedHashMap<>();
        corpus.questions().forEach(q -> byImage.computeIfAbsent(q.imageId(), k -> new ArrayList<>()).add(q));
        Map<Long, String> out = new LinkedHashMap<>();
        List<VqaImage> imageList = corpus.images();
        int skipped = 0;
        for (int from = 0; from < imageList.size(); from += CHUNK) {
            List<BufferedImage> loaded = new ArrayList<>();
            List<Integer> imageOf = new ArrayList<>();
            List<String> texts = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            for (VqaImage img : imageList.subList(from, Math.min(imageList.size(), from + CHUNK))) {
                BufferedImage pixels;
                try {
                    pixels = loader.load(img.file());
                } catch (GlimpseException e) {
                    err.println("glimpse: skipped: " + e.getMessage());
                    skipped += byImage.get(img.id()).size();
                    continue;
                }
                loaded.add(pixels);
                for (VqaQuestion q : byImage.get(img.id())) {
                    imageOf.add(loaded.size() - 1);
                    texts.add(q.question());
                    ids.add(q.questionId());
                }
            }
            if (ids.isEmpty()) {
                continue;
            }
            List<List<ScoredAnswer>> answers = predictor.answer(loaded,
                    imageOf.stream().mapToInt(Integer::intValue).toArray(), texts, 1, true);
            for (int i = 0; i < ids.size(); i++) {
                out.put(ids.get(i), answers.get(i).get(0).answer());
            }
        }
        err.println("answered " + out.size() + " of " + corpus.questions().size() + " questions with " + file
                + (skipped > 0 ? " (" + skipped + " skipped: image not readable)" : ""));
        if (out.isEmpty()) {
            throw new GlimpseException(questions + ": no question could be answered (check --images)");
        }
        return out;
    }

    @Override
    public Map<String, Object> describe() {
        VqaModel m = predictor.model();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("file", file.toString());
        d.put("encoder", m.questionOnly() ? "none (question-only)"
                : m.imageSide().encoder().name() + (m.imageSide().encoder().randomInit() ? " (random-init)" : ""));
        d.put("answers", m.answers().size());
        return d;
    }

    @Override
    public void close() {
        predictor.close();
    }
}

package dev.glimpse.captioning.eval;

import dev.glimpse.common.GlimpseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Scores candidate captions against references exactly as coco-caption's {@code COCOEvalCap}:
 * the images scored are those with a candidate, in the references' order (the order pycocotools'
 * {@code loadRes} keeps), references and candidates are tokenized as two PTB batches, then
 * BLEU-1..4, METEOR (only with a {@link Meteor}), ROUGE-L and CIDEr-D run on the tokenized text.
 * Files play no part here: the command line and training validation both call this.
 */
public final class CaptionEvaluator {
    private CaptionEvaluator() {}

    /** Tokenized text of the scored images, in scoring order. */
    record Tokenized(List<Long> imageIds, List<List<String>> references, List<String> candidates) {}

    public static EvaluationReport evaluate(Map<Long, List<String>> references, Map<Long, String> candidates) {
        return evaluate(references, candidates, null);
    }

    /**
     * @param references every reference image (iteration order = scoring order) -> its captions
     * @param candidates image -> the one candidate caption; every image must be in {@code references}
     *     with at least one caption
     * @param meteor a running METEOR, or null to skip it (never guessed)
     */
    public static EvaluationReport evaluate(Map<Long, List<String>> references, Map<Long, String> candidates,
                                            Meteor meteor) {
        Tokenized t = tokenize(references, candidates);
        List<MetricScore> metrics = new ArrayList<>(Bleu.score(t.references(), t.candidates()));
        if (meteor != null) {
            metrics.add(meteor.score(t.references(), t.candidates()));
        }
        metrics.add(RougeL.score(t.references(), t.candidates()));
        metrics.add(CiderD.score(t.references(), t.candidates()));

        Map<String, Double> overall = new LinkedHashMap<>();
        for (MetricScore m : metrics) {
            overall.put(m.name(), m.corpus());
        }
        List<EvaluationReport.ImageScores> images = new ArrayList<>(t.imageIds().size());
        for (int i = 0; i < t.imageIds().size(); i++) {
            Map<String, Double> s = new LinkedHashMap<>();
            for (MetricScore m : metrics) {
                s.put(m.name(), m.image(i));
            }
            long id = t.imageIds().get(i);
            images.add(new EvaluationReport.ImageScores(id, candidates.get(id), s));
        }
        return new EvaluationReport(t.imageIds().size(), references.size(), overall, images);
    }

    static Tokenized tokenize(Map<Long, List<String>> references, Map<Long, String> candidates) {
        for (Map.Entry<Long, String> e : candidates.entrySet()) {
            List<String> refs = references.get(e.getKey());
            if (refs == null) {
                throw new GlimpseException("image " + e.getKey() + " has a candidate caption but is not in the references");
            }
            if (refs.isEmpty()) {
                throw new GlimpseException("image " + e.getKey() + " has a candidate caption but no reference captions");
            }
            if (e.getValue() == null) {
                throw new GlimpseException("image " + e.getKey() + " has a null candidate caption");
            }
        }
        if (candidates.isEmpty()) {
            throw new GlimpseException("no candidate captions to score");
        }
        List<Long> ids = new ArrayList<>(candidates.size());
        List<String> refBatch = new ArrayList<>();
        List<Long> refOwner = new ArrayList<>();
        List<String> candBatch = new ArrayList<>(candidates.size());
        for (Map.Entry<Long, List<String>> e : references.entrySet()) {
            String cand = candidates.get(e.getKey());
            if (cand == null) {
                continue;
            }
            ids.add(e.getKey());
            candBatch.add(cand);
            for (String r : e.getValue()) {
                refBatch.add(r);
                refOwner.add(e.getKey());
            }
        }
        List<String> refTokens = tokenizeBatch(refBatch, refOwner, "reference");
        List<String> candTokens = tokenizeBatch(candBatch, ids, "candidate");
        List<List<String>> refsPerImage = new ArrayList<>(ids.size());
        int next = 0;
        for (long id : ids) {
            int n = references.get(id).size();
            refsPerImage.add(List.copyOf(refTokens.subList(next, next + n)));
            next += n;
        }
        return new Tokenized(List.copyOf(ids), refsPerImage, candTokens);
    }

    private static List<String> tokenizeBatch(List<String> batch, List<Long> owner, String what) {
        try {
            return CaptionTokenizer.tokenize(batch);
        } catch (CaptionTokenizer.LineBreakException e) {
            throw new GlimpseException("image " + owner.get(e.index()) + ": " + what + " " + e.getMessage(), e);
        }
    }
}

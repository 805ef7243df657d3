package dev.glimpse.captioning.eval;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.common.io.AtomicFiles;
import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The result of one caption evaluation: corpus scores under coco-caption's names ({@code Bleu_1}..
 * {@code Bleu_4}, {@code METEOR} when it ran, {@code ROUGE_L}, {@code CIDEr} = CIDEr-D), on its
 * scale (0-1; CIDEr-D 0-10), the per-image scores, and how many of the reference images were scored.
 */
public record EvaluationReport(int scoredImages, int totalImages, Map<String, Double> scores,
                               List<ImageScores> images) {
    public static final String BLEU_1 = "Bleu_1";
    public static final String BLEU_2 = "Bleu_2";
    public static final String BLEU_3 = "Bleu_3";
    public static final String BLEU_4 = "Bleu_4";
    public static final String METEOR = "METEOR";
    public static final String ROUGE_L = "ROUGE_L";
    public static final String CIDER_D = "CIDEr";

    public EvaluationReport {
        scores = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(scores));
        images = List.copyOf(images);
    }

    /** One scored image: its candidate, as given, and its scores under the same names. */
    public record ImageScores(long imageId, String caption, Map<String, Double> scores) {
        public ImageScores {
            scores = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(scores));
        }
    }

    /** A corpus score by name; throws if that metric was not computed (METEOR without a jar). */
    public double score(String metric) {
        Double v = scores.get(metric);
        if (v == null) {
            throw new IllegalArgumentException("metric " + metric + " was not computed; have " + scores.keySet());
        }
        return v;
    }

    public boolean has(String metric) {
        return scores.containsKey(metric);
    }

    /** "scored X of Y images". */
    public String coverage() {
        return "scored " + scoredImages + " of " + totalImages + " images";
    }

    public ObjectNode toJson() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("scored_images", scoredImages);
        root.put("total_images", totalImages);
        root.put("scale", "coco-caption: 0-1 (CIDEr-D 0-10); CIDEr is the CIDEr-D variant");
        ObjectNode overall = root.putObject("overall");
        scores.forEach(overall::put);
        ArrayNode arr = root.putArray("images");
        for (ImageScores img : images) {
            ObjectNode o = arr.addObject();
            o.put("image_id", img.imageId());
            o.put("caption", img.caption());
            img.scores().forEach(o::put);
        }
        return root;
    }

    /** Writes {@link #toJson()} atomically. */
    public void write(Path file) throws IOException {
        byte[] bytes = Json.MAPPER.writeValueAsBytes(toJson());
        AtomicFiles.write(file, out -> out.write(bytes));
    }
}

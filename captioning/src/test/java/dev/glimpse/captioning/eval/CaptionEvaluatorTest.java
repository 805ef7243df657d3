package dev.glimpse.captioning.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionEvaluatorTest {
    @TempDir
    Path tmp;

    @Test
    void equalsCommandLineTokenizationPlusIndependentMetrics() throws Exception {
        List<String> pool = TrickyCaptions.corpus(21, 150);
        Random r = new Random(4);
        Map<Long, List<String>> refs = new LinkedHashMap<>();
        Map<Long, String> cands = new LinkedHashMap<>();
        int next = 0;
        for (int i = 0; i < 40; i++) {
            long id = 500 - 7L * i;                       // not sorted, to check the order
            List<String> rs = new ArrayList<>();
            for (int j = 0, n = 1 + r.nextInt(5); j < n; j++) {
                rs.add(pool.get(next++ % pool.size()));
            }
            refs.put(id, rs);
            double u = r.nextDouble();
            if (u < 0.1) {
                continue;                                  // image without a candidate
            }
            String cand = u < 0.2 ? rs.get(0)             // equal to a reference
                    : u < 0.25 ? ""
                    : u < 0.3 ? "dog"
                    : u < 0.35 ? String.join(" ", java.util.Collections.nCopies(40, "a red bike"))
                    : pool.get(r.nextInt(pool.size()));
            cands.put(id, cand);
        }
        // Independent pipeline: the CoreNLP command line over the two batches, then ReferenceMetrics.
        List<Long> ids = new ArrayList<>();
        List<String> refBatch = new ArrayList<>();
        List<String> candBatch = new ArrayList<>();
        for (var e : refs.entrySet()) {
            if (cands.containsKey(e.getKey())) {
                ids.add(e.getKey());
                refBatch.addAll(e.getValue());
                candBatch.add(cands.get(e.getKey()));
            }
        }
        List<String> refTok = CoreNlpCommandLine.tokenize(refBatch, tmp);
        List<String> candTok = CoreNlpCommandLine.tokenize(candBatch, tmp);
        List<List<String>> refsTok = new ArrayList<>();
        int k = 0;
        for (long id : ids) {
            refsTok.add(refTok.subList(k, k += refs.get(id).size()));
        }

        CaptionEvaluator.Tokenized t = CaptionEvaluator.tokenize(refs, cands);
        assertEquals(ids, t.imageIds());
        assertEquals(candTok, t.candidates());
        assertEquals(refsTok, t.references());

        EvaluationReport report = CaptionEvaluator.evaluate(refs, cands);
        assertEquals(ids.size(), report.scoredImages());
        assertEquals(40, report.totalImages());
        assertEquals("scored " + ids.size() + " of 40 images", report.coverage());
        double[][] bleu = ReferenceMetrics.bleu(refsTok, candTok);
        double[] rouge = ReferenceMetrics.rouge(refsTok, candTok);
        double[] cider = ReferenceMetrics.cider(refsTok, candTok);
        String[] names = {"Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr"};
        double[][] perImage = {bleu[0], bleu[1], bleu[2], bleu[3], rouge, cider};
        double[] corpus = {bleu[4][0], bleu[4][1], bleu[4][2], bleu[4][3],
                ReferenceMetrics.mean(rouge), ReferenceMetrics.mean(cider)};
        assertEquals(List.of(names), List.copyOf(report.scores().keySet()));
        for (int m = 0; m < names.length; m++) {
            assertEquals(corpus[m], report.score(names[m]), 1e-9, names[m]);
            for (int i = 0; i < ids.size(); i++) {
                EvaluationReport.ImageScores img = report.images().get(i);
                assertEquals(ids.get(i), img.imageId());
                assertEquals(cands.get(ids.get(i)), img.caption());
                assertEquals(perImage[m][i], img.scores().get(names[m]), 1e-9, names[m] + " image " + ids.get(i));
            }
        }
        assertTrue(report.score("CIDEr") > 0 && report.score("Bleu_1") > 0);
    }

    @Test
    void candidateForUnknownImageIsNamed() {
        var e = assertThrows(GlimpseException.class, () -> CaptionEvaluator.evaluate(
                Map.of(1L, List.of("a dog")), Map.of(1L, "a dog", 99L, "a cat")));
        assertTrue(e.getMessage().contains("image 99"), e.getMessage());
    }

    @Test
    void imageWithoutReferencesOrNoCandidatesIsAnError() {
        assertThrows(GlimpseException.class, () -> CaptionEvaluator.evaluate(
                Map.of(1L, List.of()), Map.of(1L, "a dog")));
        assertThrows(GlimpseException.class, () -> CaptionEvaluator.evaluate(
                Map.of(1L, List.of("a dog")), Map.of()));
    }

    @Test
    void lineBreakNamesTheImage() {
        Map<Long, List<String>> refs = new LinkedHashMap<>();
        refs.put(1L, List.of("a dog"));
        refs.put(5L, List.of("a cat", "a cat\ron a mat"));
        var e = assertThrows(GlimpseException.class,
                () -> CaptionEvaluator.evaluate(refs, Map.of(1L, "dog", 5L, "cat")));
        assertTrue(e.getMessage().startsWith("image 5: reference caption"), e.getMessage());
    }

    @Test
    void singleImageHasZeroCider() {
        EvaluationReport r = CaptionEvaluator.evaluate(Map.of(3L, List.of("A dog.")), Map.of(3L, "a dog"));
        assertEquals(0.0, r.score("CIDEr"), 0);
        assertEquals(1.0, r.score("ROUGE_L"), 1e-12);
        assertEquals(1.0, r.score("Bleu_1"), 1e-9);
    }
}

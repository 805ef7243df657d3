package dev.glimpse.captioning.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.io.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Real COCO captions scored by the real coco-caption code (see resources/capeval/PROVENANCE.md):
 * our tokenized text must be identical and every score equal to 1e-12.
 */
class GoldenEvalTest {
    private static Path resource(String name) throws Exception {
        return Path.of(GoldenEvalTest.class.getResource("/capeval/" + name).toURI());
    }

    @Test
    void matchesPycocoevalcapOnCocoVal() throws Exception {
        Map<Long, List<String>> refs = CocoCaptionJson.readReferences(resource("captions_val2017_mini.json"));
        Map<Long, String> cands = CocoCaptionJson.readResults(resource("results_mini.json"), refs, "refs");
        JsonNode golden = Json.MAPPER.readTree(resource("pycocoevalcap_scores.json").toFile());

        CaptionEvaluator.Tokenized t = CaptionEvaluator.tokenize(refs, cands);
        List<Long> ids = new ArrayList<>();
        golden.get("image_ids").forEach(n -> ids.add(n.asLong()));
        assertEquals(ids, t.imageIds());
        for (int i = 0; i < ids.size(); i++) {
            assertEquals(golden.get("tokenized_candidates").get(i).asText(), t.candidates().get(i), "image " + ids.get(i));
            List<String> want = new ArrayList<>();
            golden.get("tokenized_references").get(i).forEach(n -> want.add(n.asText()));
            assertEquals(want, t.references().get(i), "image " + ids.get(i));
        }

        EvaluationReport report = CaptionEvaluator.evaluate(refs, cands);
        assertEquals(100, report.totalImages());
        for (String m : List.of("Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "ROUGE_L", "CIDEr")) {
            assertEquals(golden.get("overall").get(m).asDouble(), report.score(m), 1e-12, m);
            for (int i = 0; i < ids.size(); i++) {
                assertEquals(golden.get("per_image").get(m).get(i).asDouble(),
                        report.images().get(i).scores().get(m), 1e-12, m + " image " + ids.get(i));
            }
        }
    }
}

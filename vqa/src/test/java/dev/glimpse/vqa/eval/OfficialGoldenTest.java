package dev.glimpse.vqa.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.io.Json;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Same numbers as the official vqaEval.py on 308 questions (see resources/vqaeval/PROVENANCE.md). */
class OfficialGoldenTest {
    private static Path resource(String name) throws Exception {
        return Path.of(OfficialGoldenTest.class.getResource("/vqaeval/" + name).toURI());
    }

    @Test
    void matchesTheOfficialEvaluationExactly() throws Exception {
        VqaScores s = VqaEvaluationFiles.evaluate(resource("golden_results.json"),
                resource("golden_questions.json"), resource("golden_annotations.json"));
        JsonNode expected = Json.MAPPER.readTree(resource("golden_expected.json").toFile());
        assertEquals(expected.get("overall").asDouble(), s.overall(), 0.0);
        assertEquals(asMap(expected.get("perAnswerType")), s.perAnswerType());
        assertEquals(asMap(expected.get("perQuestionType")), s.perQuestionType());
        assertEquals(expected.get("perQuestion").size(), s.questions().size());
        for (VqaScores.QuestionScore q : s.questions()) {
            assertEquals(expected.get("perQuestion").get(String.valueOf(q.questionId())).asDouble(), q.accuracy(), 0.0,
                    "question " + q.questionId());
        }
    }

    private static Map<String, Double> asMap(JsonNode node) {
        Map<String, Double> m = new TreeMap<>();
        node.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asDouble()));
        return m;
    }
}

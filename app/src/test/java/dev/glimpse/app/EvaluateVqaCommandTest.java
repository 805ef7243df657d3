package dev.glimpse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateVqaCommandTest {
    @TempDir
    Path dir;

    private Path[] corpus(String results) throws Exception {
        Path q = Files.writeString(dir.resolve("q.json"), """
                {"questions": [{"question_id": 1, "image_id": 7, "question": "Is it red?"},
                               {"question_id": 2, "image_id": 7, "question": "How many?"}]}""");
        Path a = Files.writeString(dir.resolve("a.json"), """
                {"annotations": [
                 {"question_id": 1, "question_type": "is it", "answer_type": "yes/no",
                  "answers": [{"answer": "yes"}, {"answer": "yes"}, {"answer": "yes"}, {"answer": "no"}]},
                 {"question_id": 2, "question_type": "how many", "answer_type": "number",
                  "answers": [{"answer": "3"}, {"answer": "3"}, {"answer": "3"}]}]}""");
        Path r = Files.writeString(dir.resolve("res.json"), results);
        return new Path[] {r, q, a};
    }

    @Test
    void printsOverallPerAnswerTypeAndPerQuestionTypeAndWritesReport() throws Exception {
        Path[] f = corpus("[{\"question_id\": 1, \"answer\": \"Yes\"}, {\"question_id\": 2, \"answer\": \"two\"}]");
        Path report = dir.resolve("report.json");
        VqaCli.Run run = VqaCli.run("evaluate", "vqa", "--results", f[0].toString(), "--questions",
                f[1].toString(), "--annotations", f[2].toString(), "--out", report.toString());
        assertEquals(0, run.exitCode(), run.err());
        // q1: mixed answers, "Yes" -> "yes": 3 x 2/3 + 1 = 3 over 4 = 0.75; q2: unanimous "3", "two" -> 0
        assertTrue(run.out().contains("VQA accuracy: 37.50 (2 questions"), run.out());
        assertTrue(run.out().matches("(?s).*yes/no\\s+75\\.00.*"), run.out());
        assertTrue(run.out().matches("(?s).*number\\s+0\\.00.*"), run.out());
        assertTrue(run.out().matches("(?s).*how many\\s+0\\.00.*"), run.out());
        JsonNode json = Json.MAPPER.readTree(report.toFile());
        assertEquals(37.5, json.get("overall").asDouble(), 0.0);
        assertEquals(75.0, json.get("questions").get(0).get("accuracy").asDouble(), 0.0);
    }

    @Test
    void badResultsExitTwoWithOneLine() throws Exception {
        Path[] f = corpus("[{\"question_id\": 1, \"answer\": \"yes\"}, {\"question_id\": 5, \"answer\": \"x\"}]");
        VqaCli.Run run = VqaCli.run("evaluate", "vqa", "--results", f[0].toString(), "--questions",
                f[1].toString(), "--annotations", f[2].toString());
        assertEquals(2, run.exitCode());
        assertEquals("glimpse: res.json: [1]: question_id 5 is not in a.json", run.err().strip());
    }
}

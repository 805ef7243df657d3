package dev.glimpse.vqa.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading results and ground truth from files, and the one-line errors for bad input. */
class VqaEvaluationFilesTest {
    @TempDir
    Path dir;

    static final String QUESTIONS = """
            {"questions": [
              {"question_id": 11, "image_id": 1, "question": "What color is the ball?"},
              {"question_id": 12, "image_id": 1, "question": "How many balls are there?"}]}
            """;
    static final String ANNOTATIONS = """
            {"annotations": [
              {"question_id": 11, "image_id": 1, "question_type": "what color is the", "answer_type": "other",
               "multiple_choice_answer": "red",
               "answers": [{"answer": "red", "answer_id": 1}, {"answer": "red", "answer_id": 2},
                           {"answer": "red", "answer_id": 3}, {"answer": "blue", "answer_id": 4}]},
              {"question_id": 12, "image_id": 1, "question_type": "how many", "answer_type": "number",
               "multiple_choice_answer": "2",
               "answers": [{"answer": "2", "answer_id": 1}, {"answer": "two", "answer_id": 2},
                           {"answer": "3", "answer_id": 3}]}]}
            """;

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private String errorFor(String results) throws IOException {
        Path q = write("q.json", QUESTIONS);
        Path a = write("a.json", ANNOTATIONS);
        Path r = write("res.json", results);
        GlimpseException e = assertThrows(GlimpseException.class, () -> VqaEvaluationFiles.evaluate(r, q, a));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void scoresAFileTriple() throws IOException {
        Path q = write("q.json", QUESTIONS);
        Path a = write("a.json", ANNOTATIONS);
        Path r = write("res.json", """
                [{"question_id": 12, "answer": "Two"}, {"question_id": 11, "answer": "red"}]""");
        VqaScores s = VqaEvaluationFiles.evaluate(r, q, a);
        // q11: 4 answers, 3 red: each red sees 2 (2/3), blue sees 3 (1) -> 3/4 = 0.75
        // q12: mixed -> "2","2","3"; prediction "2": 1/3 + 1/3 + 2/3 = 4/3 over 3 = 4/9
        assertEquals(75.0, s.perAnswerType().get("other"), 0.0);
        assertEquals(44.44, s.perAnswerType().get("number"), 0.0);
        // (0.75 + 0.4444) / 2 = 0.597222
        assertEquals(59.72, s.overall(), 0.0);
        assertEquals(11L, s.questions().get(0).questionId());   // annotation order, not results order
    }

    @Test
    void badResultsGiveOneLineErrorsNamingTheRecord() throws IOException {
        assertTrue(errorFor("{\"question_id\": 11}").contains("expected a JSON array"));
        assertTrue(errorFor("[{\"question_id\": 11, \"answer\": \"red\"}, {\"question_id\": 11, \"answer\": \"x\"}]")
                .contains("res.json: [1]: duplicate question_id 11 (first at [0])"));
        assertTrue(errorFor("[{\"question_id\": 11}]").contains("res.json: [0] (question_id 11): missing field \"answer\""));
        assertTrue(errorFor("[{\"question_id\": 11, \"answer\": 3}]").contains("\"answer\" must be a string"));
        assertTrue(errorFor("[{\"answer\": \"red\"}]").contains("res.json: [0]: missing field \"question_id\""));
        assertTrue(errorFor("[{\"question_id\": \"11\", \"answer\": \"red\"}]").contains("must be an integer"));
        assertTrue(errorFor("[{\"question_id\": 11, \"answer\": \"red\"}, {\"question_id\": 12, \"answer\": \"2\"},"
                + " {\"question_id\": 99, \"answer\": \"2\"}]").contains("res.json: [2]: question_id 99 is not in a.json"));
        assertTrue(errorFor("[{\"question_id\": 11, \"answer\": \"red\"}]")
                .contains("res.json: no answer for 1 of 2 questions in a.json (first: question_id 12)"));
        assertTrue(errorFor("[{\"question_id\": 11, ").contains("res.json: not valid JSON"));
    }

    @Test
    void badGroundTruthNamesFileAndField() throws IOException {
        Path q = write("q.json", QUESTIONS);
        Path r = write("res.json", "[]");
        Path a = write("a.json", ANNOTATIONS.replace("\"answer_type\": \"number\",", ""));
        GlimpseException e = assertThrows(GlimpseException.class, () -> VqaEvaluationFiles.evaluate(r, q, a));
        assertEquals("a.json: annotations[1]: missing string field \"answer_type\"", e.getMessage());
        Path q2 = write("q2.json", QUESTIONS.replace("\"question_id\": 12", "\"question_id\": 13"));
        Path a2 = write("a2.json", ANNOTATIONS);
        e = assertThrows(GlimpseException.class, () -> VqaEvaluationFiles.evaluate(r, q2, a2));
        assertEquals("a2.json: annotations[1]: question_id 12 is not in q2.json", e.getMessage());
        e = assertThrows(GlimpseException.class,
                () -> VqaEvaluationFiles.evaluate(r, q, dir.resolve("nope.json")));
        assertTrue(e.getMessage().endsWith("nope.json: no such file"), e.getMessage());
    }

    @Test
    void resultsRoundTripThroughWrite() throws IOException {
        Map<Long, String> answers = new LinkedHashMap<>();
        answers.put(5L, "red");
        answers.put(3L, "2");
        Path r = dir.resolve("out/res.json");
        VqaResultsFile.write(r, answers);
        assertEquals(answers, VqaResultsFile.read(r));
    }
}

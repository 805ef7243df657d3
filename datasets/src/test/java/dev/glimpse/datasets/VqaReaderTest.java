package dev.glimpse.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VqaReaderTest {
    @TempDir
    Path dir;

    private static final String QUESTIONS = "{'info':{},'task_type':'Open-Ended','data_type':'mscoco','data_subtype':'train2014',"
            + "'questions':[{'image_id':458752,'question':'What is this photo taken looking through?','question_id':458752000},"
            + "{'image_id':458752,'question':'Is this man a professional?','question_id':458752001},"
            + "{'image_id':262146,'question':'How many people?','question_id':262146000}]}";

    private static String answers(String a, String b) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < 10; i++) {
            s.append(i > 0 ? "," : "").append("{'answer':'").append(i < 8 ? a : b)
                    .append("','answer_confidence':'yes','answer_id':").append(i + 1).append('}');
        }
        return s.append(']').toString();
    }

    private static final String ANNOTATIONS = "{'annotations':["
            + "{'question_type':'how many','multiple_choice_answer':'2','answers':" + answers("2", "3")
            + ",'image_id':262146,'answer_type':'number','question_id':262146000},"
            + "{'question_type':'what is this','multiple_choice_answer':'net','answers':" + answers("net", "netting")
            + ",'image_id':458752,'answer_type':'other','question_id':458752000},"
            + "{'question_type':'is this','multiple_choice_answer':'yes','answers':" + answers("yes", "no")
            + ",'image_id':458752,'answer_type':'yes/no','question_id':458752001}]}";

    @Test
    void joinsQuestionsAndAnnotations() {
        TestFiles.touch(dir.resolve("img/COCO_train2014_000000458752.jpg"));
        TestFiles.touch(dir.resolve("img/000000262146.jpg"));
        VqaCorpus c = VqaReader.read(TestFiles.json(dir, "q.json", QUESTIONS), TestFiles.json(dir, "a.json", ANNOTATIONS),
                dir.resolve("img"), ReadOptions.REQUIRE_FILES);
        assertEquals(3, c.questions().size());
        VqaQuestion q = c.questions().get(2);
        assertEquals(262146000L, q.questionId());
        assertEquals(262146L, q.imageId());
        assertEquals("How many people?", q.question());
        assertEquals("number", q.answerType());
        assertEquals("how many", q.questionType());
        assertEquals("2", q.multipleChoiceAnswer());
        assertEquals(10, q.answers().size());
        assertEquals(8, q.answers().stream().filter("2"::equals).count());
        assertEquals("yes", c.questions().get(1).multipleChoiceAnswer());
        assertEquals(List.of(458752L, 262146L), c.images().stream().map(VqaImage::id).toList());
        assertEquals(dir.resolve("img/COCO_train2014_000000458752.jpg").toAbsolutePath().normalize(), c.images().get(0).file());
        assertEquals(dir.resolve("img/000000262146.jpg").toAbsolutePath().normalize(), c.images().get(1).file());
        assertEquals(List.of(), c.missingFiles());
    }

    @Test
    void questionsOnlyAndExplicitFileNames() {
        VqaCorpus c = VqaReader.read(TestFiles.json(dir, "q.json", QUESTIONS), null, dir,
                Map.of(458752L, "a.png", 262146L, "b.png"), ReadOptions.DEFAULT);
        assertEquals(List.of(), c.questions().get(0).answers());
        assertNull(c.questions().get(0).answerType());
        assertEquals(2, c.missingFiles().size());
        assertEquals(dir.toAbsolutePath().normalize().resolve("b.png"), c.imagesById().get(262146L).file());
        GlimpseException e = assertThrows(GlimpseException.class, () -> VqaReader.read(
                TestFiles.json(dir, "q.json", QUESTIONS), null, dir, Map.of(458752L, "a.png"), ReadOptions.DEFAULT));
        assertTrue(e.getMessage().endsWith("questions[2] (image_id 262146): question about unknown image id 262146"),
                e.getMessage());
        e = assertThrows(GlimpseException.class, () -> VqaReader.read(TestFiles.json(dir, "q.json", QUESTIONS), null, dir,
                Map.of(458752L, "../a.png", 262146L, "b.png"), ReadOptions.DEFAULT));
        assertTrue(e.getMessage().contains("questions[0] (image_id 458752): field \"image file of image_id 458752\" escapes"
                + " the image root"),
                e.getMessage());
    }

    private String fail(String questions, String annotations) {
        Path q = TestFiles.json(dir, "q.json", questions);
        Path a = annotations == null ? null : TestFiles.json(dir, "a.json", annotations);
        GlimpseException e = assertThrows(GlimpseException.class, () -> VqaReader.read(q, a, dir));
        assertTrue(!e.getMessage().contains("\n"));
        return e.getMessage();
    }

    @Test
    void validation() {
        Path q = dir.resolve("q.json");
        Path a = dir.resolve("a.json");
        assertEquals(q + ": questions[1]: duplicate question id 458752000 (also questions[0])",
                fail(QUESTIONS.replace("458752001", "458752000"), null));
        assertEquals(q + ": questions[2]: missing field \"question\"",
                fail(QUESTIONS.replace("'question':'How many people?',", ""), null));
        assertEquals(q + ": questions[0]: field \"image_id\" must be an integer, got string",
                fail(QUESTIONS.replace("'image_id':458752,'question':'What", "'image_id':'458752','question':'What"), null));
        assertEquals(a + ": annotations[0]: annotation for question id 262146999 which is not in " + q,
                fail(QUESTIONS, ANNOTATIONS.replace("'question_id':262146000", "'question_id':262146999")));
        String withoutFirst = "{'annotations':[" + ANNOTATIONS.substring(ANNOTATIONS.indexOf("{'question_type':'what is this'"));
        assertEquals(q + ": questions[2]: question id 262146000 has no annotation in " + a, fail(QUESTIONS, withoutFirst));
        assertTrue(fail(QUESTIONS, ANNOTATIONS.replace("'question_id':262146000", "'question_id':458752001")
                .replace("'image_id':262146,", "'image_id':458752,"))
                .contains("duplicate annotation for question id 458752001 (also annotations[0])"));
        assertEquals(a + ": annotations[0]: image_id 1 differs from image_id 262146 of question 262146000 in " + q,
                fail(QUESTIONS, ANNOTATIONS.replace("'image_id':262146,", "'image_id':1,")));
        assertTrue(fail(QUESTIONS, ANNOTATIONS.replace("'answer_type':'number',", ""))
                .endsWith("annotations[0]: missing field \"answer_type\""));
        assertTrue(fail(QUESTIONS, ANNOTATIONS.replaceFirst("\\{'answer':'2'", "{'answer':2"))
                .endsWith("annotations[0].answers[0]: field \"answer\" must be a string, got integer 2"));
        assertTrue(fail(QUESTIONS, ANNOTATIONS.replace("'answers':" + answers("2", "3"), "'answers':[]"))
                .endsWith("annotations[0]: field \"answers\" is empty"));
        assertTrue(fail(QUESTIONS, "{'annotations':[}").startsWith(a + ": invalid JSON at line 1, column 17"));
        assertTrue(fail(QUESTIONS, "{'info':{}}").endsWith("missing field \"annotations\""));
    }
}

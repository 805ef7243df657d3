package dev.glimpse.common.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image lists read from COCO captions and VQA questions files by {@link ImageLists}. */
class FeatureListsTest {
    @TempDir
    Path tmp;

    @Test
    void cocoCaptionsGiveIdsAndFiles() throws IOException {
        Path json = tmp.resolve("captions.json");
        Files.writeString(json, """
                {"info": {"year": 2017, "nested": [1, {"id": 99}]},
                 "images": [{"license": 3, "file_name": "a.jpg", "id": 7, "extra": {"id": 5}},
                            {"id": 8000000000, "file_name": "sub/b.jpg"}],
                 "annotations": [{"image_id": 7, "id": 1, "caption": "x"}]}
                """);
        List<ImageRef> refs = ImageLists.fromCocoCaptions(json, tmp);
        assertEquals(List.of(new ImageRef(7, tmp.resolve("a.jpg")), new ImageRef(8_000_000_000L, tmp.resolve("sub/b.jpg"))), refs);
    }

    @Test
    void cocoImageWithoutFileNameNamesTheRecord() throws IOException {
        Path json = tmp.resolve("captions.json");
        Files.writeString(json, "{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\"}, {\"id\": 2}]}");
        GlimpseException e = assertThrows(GlimpseException.class, () -> ImageLists.fromCocoCaptions(json, tmp));
        assertEquals(json + ": images[1]: missing field \"file_name\"", e.getMessage());
        Files.writeString(json, "{\"images\": [");
        assertTrue(assertThrows(GlimpseException.class, () -> ImageLists.fromCocoCaptions(json, tmp))
                .getMessage().startsWith(json + ": not valid JSON"));
    }

    @Test
    void vqaQuestionsMapDistinctIdsToExistingCocoFileNames() throws IOException {
        Files.writeString(tmp.resolve("COCO_val2014_000000000042.jpg"), "x");
        Files.writeString(tmp.resolve("000000000043.png"), "x");
        Path json = tmp.resolve("questions.json");
        Files.writeString(json, """
                {"questions": [{"image_id": 42, "question": "what?", "question_id": 1},
                               {"image_id": 43, "question": "why?", "question_id": 2},
                               {"image_id": 42, "question": "how?", "question_id": 3},
                               {"image_id": 44, "question": "who?", "question_id": 4}],
                 "data_subtype": "val2014", "task_type": "Open-Ended"}
                """);
        List<ImageRef> refs = ImageLists.fromVqaQuestions(json, tmp);
        assertEquals(List.of(new ImageRef(42, tmp.resolve("COCO_val2014_000000000042.jpg")),
                new ImageRef(43, tmp.resolve("000000000043.png")),
                new ImageRef(44, tmp.resolve("COCO_val2014_000000000044.jpg"))), refs);
    }
}

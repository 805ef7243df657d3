package dev.glimpse.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.features.ImageRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image lists {@code glimpse features} reads go through the strict readers: the same record
 * validation, root containment (lexical and real path) and JSON checks as training.
 */
class ImageListsTest {
    @TempDir
    Path tmp;
    Path images;
    Path outside;

    @BeforeEach
    void folders() throws IOException {
        images = Files.createDirectories(tmp.resolve("images"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret.jpg"), "not yours");
    }

    Path json(String text) throws IOException {
        Path f = tmp.resolve("annotations.json");
        Files.writeString(f, text);
        return f;
    }

    String cocoFails(String text) throws IOException {
        Path f = json(text);
        return assertThrows(GlimpseException.class, () -> ImageLists.fromCocoCaptions(f, images)).getMessage();
    }

    @Test
    void cocoCaptionsGiveIdsAndFiles() throws IOException {
        Path f = json("""
                {"info": {"year": 2017, "nested": [1, {"id": 99}]},
                 "images": [{"license": 3, "file_name": "a.jpg", "id": 7, "extra": {"id": 5}},
                            {"id": 8000000000, "file_name": "sub/b.jpg"}],
                 "annotations": [{"image_id": 7, "id": 1, "caption": "x"}]}
                """);
        assertEquals(List.of(new ImageRef(7, images.resolve("a.jpg")), new ImageRef(8_000_000_000L, images.resolve("sub/b.jpg"))),
                ImageLists.fromCocoCaptions(f, images));
        // An image-info file (test splits) has no annotations: the images are all features needs.
        Path info = json("{\"images\": [{\"id\": 3, \"file_name\": \"c.jpg\"}]}");
        assertEquals(List.of(new ImageRef(3, images.resolve("c.jpg"))), ImageLists.fromCocoCaptions(info, images));
    }

    @Test
    void pathEscapesNameTheRecordAndItsId() throws IOException {
        Path f = tmp.resolve("annotations.json");
        assertEquals(f + ": images[1] (id 2): field \"file_name\" escapes the image root: \"../outside/secret.jpg\"",
                cocoFails("{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\"},"
                        + " {\"id\": 2, \"file_name\": \"../outside/secret.jpg\"}]}"));
        String abs = outside.resolve("secret.jpg").toString();
        assertEquals(f + ": images[0] (id 5): field \"file_name\" must be a relative path inside the image root, got \""
                + abs + "\"", cocoFails("{\"images\": [{\"id\": 5, \"file_name\": \"" + abs + "\"}]}"));
    }

    @Test
    void symbolicLinksLeavingTheImageFolderAreRefused() throws IOException {
        Files.createSymbolicLink(images.resolve("link.jpg"), outside.resolve("secret.jpg"));
        Files.createSymbolicLink(images.resolve("sub"), outside);
        Path f = tmp.resolve("annotations.json");
        String real = outside.resolve("secret.jpg").toRealPath().toString();
        assertEquals(f + ": images[0] (id 4): field \"file_name\" leads outside the image root through a symbolic link:"
                + " \"link.jpg\" is " + real, cocoFails("{\"images\": [{\"id\": 4, \"file_name\": \"link.jpg\"}]}"));
        assertEquals(f + ": images[0] (id 6): field \"file_name\" leads outside the image root through a symbolic link:"
                + " \"sub/secret.jpg\" is " + real, cocoFails("{\"images\": [{\"id\": 6, \"file_name\": \"sub/secret.jpg\"}]}"));

        // Links that stay inside, and an image root that is itself a link, are fine.
        Files.writeString(images.resolve("real.jpg"), "x");
        Files.createSymbolicLink(images.resolve("alias.jpg"), images.resolve("real.jpg"));
        Path rootLink = Files.createSymbolicLink(tmp.resolve("images-link"), images);
        Path ok = json("{\"images\": [{\"id\": 1, \"file_name\": \"alias.jpg\"}]}");
        assertEquals(List.of(new ImageRef(1, rootLink.resolve("alias.jpg"))), ImageLists.fromCocoCaptions(ok, rootLink));
    }

    @Test
    void nonObjectRecordsTruncatedAndInvalidJsonAreErrors() throws IOException {
        Path f = tmp.resolve("annotations.json");
        assertEquals(f + ": images[1]: expected an object, got integer 5",
                cocoFails("{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\"}, 5, {\"id\": 2, \"file_name\": \"b.jpg\"}]}"));
        assertEquals(f + ": images[0]: missing field \"file_name\"", cocoFails("{\"images\": [{\"id\": 1}]}"));
        assertEquals(f + ": images[0]: field \"id\" must be an integer, got string", cocoFails(
                "{\"images\": [{\"id\": \"1\", \"file_name\": \"a.jpg\"}]}"));
        assertEquals(f + ": invalid JSON at line 1, column 44: the file ends inside an array or object (truncated?)",
                cocoFails("{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\"}"));
        assertEquals(f + ": invalid JSON at line 1, column 31: the file ends inside an array or object (truncated?)",
                cocoFails("{\"images\": [{\"id\": 1, \"file_na"));
        assertEquals(f + ": invalid JSON at line 1, column 44: Unexpected character ('}' (code 125)): was expecting"
                + " double-quote to start field name", cocoFails("{\"images\": [{\"id\": 1, \"file_name\": \"a.jpg\",}]}"));
        assertEquals(f + ": missing field \"images\"", cocoFails("{\"annotations\": []}"));
        assertEquals(f + ": top level must be a JSON object", cocoFails("[{\"id\": 1, \"file_name\": \"a.jpg\"}]"));
    }

    @Test
    void vqaQuestionsMapDistinctIdsToExistingCocoFileNames() throws IOException {
        Files.writeString(images.resolve("COCO_val2014_000000000042.jpg"), "x");
        Files.writeString(images.resolve("000000000043.png"), "x");
        Path f = json("""
                {"questions": [{"image_id": 42, "question": "what?", "question_id": 1},
                               {"image_id": 43, "question": "why?", "question_id": 2},
                               {"image_id": 42, "question": "how?", "question_id": 3},
                               {"image_id": 44, "question": "who?", "question_id": 4}],
                 "data_subtype": "val2014", "task_type": "Open-Ended"}
                """);
        assertEquals(List.of(new ImageRef(42, images.resolve("COCO_val2014_000000000042.jpg")),
                new ImageRef(43, images.resolve("000000000043.png")),
                new ImageRef(44, images.resolve("COCO_val2014_000000000044.jpg"))), ImageLists.fromVqaQuestions(f, images));
    }

    @Test
    void vqaQuestionsAreReadStrictlyToo() throws IOException {
        Path f = json("{\"questions\": [{\"image_id\": 42, \"question\": \"what?\", \"question_id\": 1}, \"x\"]}");
        assertEquals(f + ": questions[1]: expected an object, got string",
                assertThrows(GlimpseException.class, () -> ImageLists.fromVqaQuestions(f, images)).getMessage());
        Path noId = json("{\"questions\": [{\"image_id\": 42, \"question\": \"what?\"}]}");
        assertEquals(noId + ": questions[0]: missing field \"question_id\"",
                assertThrows(GlimpseException.class, () -> ImageLists.fromVqaQuestions(noId, images)).getMessage());
        Files.createSymbolicLink(images.resolve("000000000042.jpg"), outside.resolve("secret.jpg"));
        Path linked = json("{\"questions\": [{\"image_id\": 42, \"question\": \"what?\", \"question_id\": 1}]}");
        assertEquals(linked + ": questions[0] (image_id 42): field \"data_subtype\" leads outside the image root through"
                + " a symbolic link: \"000000000042.jpg\" is " + outside.resolve("secret.jpg").toRealPath(),
                assertThrows(GlimpseException.class, () -> ImageLists.fromVqaQuestions(linked, images)).getMessage());
    }
}

package dev.glimpse.captioning.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoCaptionJsonTest {
    @TempDir
    Path tmp;

    private Path file(String name, String json) throws Exception {
        return Files.writeString(tmp.resolve(name), json);
    }

    private Path refs() throws Exception {
        return file("refs.json", """
                {"images": [{"id": 30}, {"id": 10}, {"id": 20}],
                 "annotations": [{"image_id": 10, "id": 1, "caption": "b1"},
                                 {"image_id": 30, "id": 2, "caption": "c1"},
                                 {"image_id": 10, "id": 3, "caption": "b2"}]}""");
    }

    @Test
    void readsReferencesInImagesOrder() throws Exception {
        Map<Long, List<String>> r = CocoCaptionJson.readReferences(refs());
        assertEquals(List.of(30L, 10L, 20L), List.copyOf(r.keySet()));
        assertEquals(List.of("b1", "b2"), r.get(10L));
        assertEquals(List.of(), r.get(20L));
    }

    @Test
    void readsResults() throws Exception {
        Map<Long, List<String>> r = CocoCaptionJson.readReferences(refs());
        Map<Long, String> res = CocoCaptionJson.readResults(file("res.json",
                "[{\"image_id\": 10, \"caption\": \"x\"}, {\"image_id\": 30, \"caption\": \"y\", \"score\": 1}]"),
                r, "refs.json");
        assertEquals(Map.of(10L, "x", 30L, "y"), res);
    }

    private String error(String results) throws Exception {
        Map<Long, List<String>> r = CocoCaptionJson.readReferences(refs());
        Path f = file("res.json", results);
        return assertThrows(GlimpseException.class, () -> CocoCaptionJson.readResults(f, r, "refs.json"))
                .getMessage();
    }

    @Test
    void badResultsAreNamed() throws Exception {
        assertEquals(tmp.resolve("res.json") + ": [1]: missing field \"caption\"",
                error("[{\"image_id\": 10, \"caption\": \"x\"}, {\"image_id\": 30}]"));
        assertEquals(tmp.resolve("res.json") + ": [0]: image_id 77 is not in the references refs.json",
                error("[{\"image_id\": 77, \"caption\": \"x\"}]"));
        assertTrue(error("[{\"image_id\": 10, \"caption\": \"x\"}, {\"image_id\": 10, \"caption\": \"y\"}]")
                .contains("[1]: duplicate image_id 10 (first at [0])"));
        assertTrue(error("[{\"image_id\": 20, \"caption\": \"x\"}]").contains("has no reference captions"));
        assertTrue(error("[{\"image_id\": \"10\", \"caption\": \"x\"}]").contains("must be an integer"));
        assertTrue(error("{\"image_id\": 10}").contains("expected a JSON array"));
        assertTrue(error("[]").contains("no results"));
        String bad = error("[{\"image_id\": 10,\n \"caption\": \"x\" oops}]");
        assertTrue(bad.startsWith(tmp.resolve("res.json") + ": invalid JSON at line 2, column"), bad);
    }

    @Test
    void badReferencesAreNamed() throws Exception {
        Path f = file("r.json", "{\"images\": [{\"id\": 1}], \"annotations\": [{\"image_id\": 2, \"caption\": \"x\"}]}");
        assertTrue(assertThrows(GlimpseException.class, () -> CocoCaptionJson.readReferences(f)).getMessage()
                .endsWith("annotations[0]: image_id 2 is not in \"images\""));
        Path g = file("g.json", "{\"images\": []}");
        assertTrue(assertThrows(GlimpseException.class, () -> CocoCaptionJson.readReferences(g)).getMessage()
                .endsWith("missing field \"annotations\""));
        Path h = tmp.resolve("missing.json");
        assertTrue(assertThrows(GlimpseException.class, () -> CocoCaptionJson.readReferences(h)).getMessage()
                .endsWith("no such file"));
    }
}

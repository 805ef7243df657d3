package dev.glimpse.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CocoCaptionsReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsCocoMiniAndCountsMissingImages() throws Exception {
        Path json = TestFiles.resource("coco-mini/annotations/captions_train2017.json");
        Path root = TestFiles.resource("coco-mini/train2017");
        CaptionCorpus corpus = CocoCaptionsReader.read(json, root);

        // Compare with an independent tree read of the same file.
        JsonNode tree = Json.MAPPER.readTree(json.toFile());
        assertEquals(tree.get("images").size(), corpus.images().size());
        assertEquals(tree.get("annotations").size(), corpus.captions().size());
        JsonNode firstAnn = tree.get("annotations").get(0);
        CocoCaption first = corpus.captions().get(0);
        assertEquals(firstAnn.get("id").asLong(), first.id());
        assertEquals(firstAnn.get("image_id").asLong(), first.imageId());
        assertEquals(firstAnn.get("caption").asText(), first.text());
        JsonNode firstImg = tree.get("images").get(0);
        assertEquals(firstImg.get("width").asInt(), corpus.images().get(0).width());
        assertEquals(root.resolve(firstImg.get("file_name").asText()).toAbsolutePath().normalize(),
                corpus.images().get(0).file());

        long onDisk;
        try (var s = Files.list(root)) {
            onDisk = s.count();
        }
        assertEquals(corpus.images().size() - onDisk, corpus.missingFiles().size());
        assertEquals(onDisk, corpus.presentImages().size());
        for (CocoImage img : corpus.presentImages()) {
            assertTrue(Files.isRegularFile(img.file()));
        }
        Map<Long, List<CocoCaption>> byImage = corpus.captionsByImage();
        assertEquals(corpus.captions().size(), byImage.values().stream().mapToInt(List::size).sum());
        List<ImageCaption> pairs = Batches.pairs(corpus);
        int expectedPairs = corpus.presentImages().stream().mapToInt(i -> byImage.get(i.id()).size()).sum();
        assertEquals(expectedPairs, pairs.size());
        assertTrue(pairs.stream().allMatch(p -> Files.isRegularFile(p.file())));
    }

    @Test
    void requireFilesFailsOnFirstMissingImage() {
        Path json = TestFiles.resource("coco-mini/annotations/captions_val2017.json");
        GlimpseException e = assertThrows(GlimpseException.class, () -> CocoCaptionsReader.read(json,
                TestFiles.resource("coco-mini/val2017"), ReadOptions.REQUIRE_FILES));
        assertTrue(e.getMessage().contains("images[0] (id 349860): image file not found"), e.getMessage());
    }

    @Test
    void allFilesPresentUnderRequireFiles() {
        Path json = TestFiles.json(dir, "c.json", "{'images':[{'id':1,'file_name':'a/x.jpg','width':4,'height':3}],"
                + "'annotations':[{'id':5,'image_id':1,'caption':'a cat'}],'info':{'x':[1,2]}}");
        TestFiles.touch(dir.resolve("imgs/a/x.jpg"));
        CaptionCorpus c = CocoCaptionsReader.read(json, dir.resolve("imgs"), ReadOptions.REQUIRE_FILES);
        assertEquals(List.of(), c.missingFiles());
        assertEquals(new CocoCaption(5, 1, "a cat"), c.captions().get(0));
        assertEquals(3, c.images().get(0).height());
    }

    @Test
    void annotationsBeforeImagesAreAccepted() {
        Path json = TestFiles.json(dir, "c.json", "{'annotations':[{'id':5,'image_id':1,'caption':'a cat'}],"
                + "'images':[{'id':1,'file_name':'x.jpg'}]}");
        CaptionCorpus c = CocoCaptionsReader.read(json, dir);
        assertEquals(1, c.captions().size());
        assertEquals(0, c.images().get(0).width());
        assertEquals(1, c.missingFiles().size());
    }

    private String fail(String jsonSingleQuoted) {
        Path json = TestFiles.json(dir, "bad.json", jsonSingleQuoted);
        GlimpseException e = assertThrows(GlimpseException.class, () -> CocoCaptionsReader.read(json, dir.resolve("imgs")));
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().startsWith(json.toString() + ": "), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private static final String IMG = "{'id':1,'file_name':'x.jpg'}";
    private static final String ANN = "{'id':7,'image_id':1,'caption':'a dog'}";

    @Test
    void invalidJsonNamesLineAndColumn() {
        String m = fail("{'images':[" + IMG + ",\n  {'id':2,,}],'annotations':[]}");
        assertTrue(m.contains("invalid JSON at line 2, column "), m);
    }

    @Test
    void truncatedJson() {
        String m = fail("{'images':[" + IMG + ",");
        assertTrue(m.contains("invalid JSON") || m.contains("unexpected end"), m);
    }

    @Test
    void topLevelMustBeObject() {
        assertTrue(fail("[1,2]").contains("top level must be a JSON object"));
    }

    @Test
    void missingArray() {
        assertTrue(fail("{'images':[" + IMG + "]}").contains("missing field \"annotations\""));
    }

    @Test
    void arrayOfWrongType() {
        assertTrue(fail("{'images':{},'annotations':[]}").contains("field \"images\" must be an array, got object"));
    }

    @Test
    void missingField() {
        String m = fail("{'images':[" + IMG + "],'annotations':[" + ANN + ",{'id':8,'caption':'x'}]}");
        assertTrue(m.endsWith("annotations[1]: missing field \"image_id\""), m);
    }

    @Test
    void illTypedFields() {
        assertTrue(fail("{'images':[{'id':'1','file_name':'x.jpg'}],'annotations':[]}")
                .endsWith("images[0]: field \"id\" must be an integer, got string"));
        assertTrue(fail("{'images':[{'id':1.5,'file_name':'x.jpg'}],'annotations':[]}")
                .contains("images[0]: field \"id\" must be an integer, got number 1.5"));
        assertTrue(fail("{'images':[{'id':1,'file_name':3}],'annotations':[]}")
                .contains("field \"file_name\" must be a string"));
        assertTrue(fail("{'images':[{'id':1,'file_name':'x','width':'wide'}],'annotations':[]}")
                .contains("field \"width\" must be an integer"));
        assertTrue(fail("{'images':[" + IMG + "],'annotations':[{'id':7,'image_id':1,'caption':['a']}]}")
                .contains("annotations[0]: field \"caption\" must be a string, got array"));
        assertTrue(fail("{'images':[3],'annotations':[]}").contains("images[0]: expected an object, got integer 3"));
    }

    @Test
    void captionForUnknownImage() {
        String m = fail("{'images':[" + IMG + "],'annotations':[" + ANN + ",{'id':8,'image_id':2,'caption':'x'}]}");
        assertTrue(m.endsWith("annotations[1]: caption for unknown image id 2"), m);
    }

    @Test
    void duplicateIds() {
        assertTrue(fail("{'images':[" + IMG + "," + IMG + "],'annotations':[]}")
                .endsWith("images[1]: duplicate image id 1 (also images[0])"));
        assertTrue(fail("{'images':[" + IMG + "],'annotations':[" + ANN + ",{'id':9,'image_id':1,'caption':'x'}," + ANN + "]}")
                .endsWith("annotations[2]: duplicate annotation id 7 (also annotations[0])"));
    }

    @Test
    void fileNamesMustStayInsideTheRoot() {
        for (String bad : List.of("../x.jpg", "a/../../x.jpg", "/etc/passwd", "C:\\\\x.jpg", "..\\\\x.jpg", "", ".", "a/..")) {
            String m = fail("{'images':[{'id':1,'file_name':'" + bad + "'}],'annotations':[]}");
            assertTrue(m.contains("images[0] (id 1): field \"file_name\""), m);
        }
        // Normalising inside the root is fine.
        Path json = TestFiles.json(dir, "ok.json", "{'images':[{'id':1,'file_name':'a/../b/./x.jpg'}],'annotations':[]}");
        CaptionCorpus c = CocoCaptionsReader.read(json, dir);
        assertEquals(dir.toAbsolutePath().normalize().resolve("b/x.jpg"), c.images().get(0).file());
    }

    @Test
    void missingFileIsFatalOnlyWhenRequired() {
        Path json = TestFiles.json(dir, "c.json", "{'images':[" + IMG + ",{'id':2,'file_name':'y.jpg'}],'annotations':[]}");
        TestFiles.touch(dir.resolve("imgs/x.jpg"));
        CaptionCorpus c = CocoCaptionsReader.read(json, dir.resolve("imgs"));
        assertEquals(List.of(dir.resolve("imgs/y.jpg").toAbsolutePath().normalize()), c.missingFiles());
        GlimpseException e = assertThrows(GlimpseException.class,
                () -> CocoCaptionsReader.read(json, dir.resolve("imgs"), ReadOptions.REQUIRE_FILES));
        assertTrue(e.getMessage().contains("images[1] (id 2): image file not found"), e.getMessage());
    }

    @Test
    void absentFileIsNamed() {
        GlimpseException e = assertThrows(GlimpseException.class,
                () -> CocoCaptionsReader.read(dir.resolve("nope.json"), dir));
        assertEquals(dir.resolve("nope.json") + ": file not found", e.getMessage());
    }

    @Test
    void idsAreUniqueInCocoMini() {
        CaptionCorpus c = CocoCaptionsReader.read(TestFiles.resource("coco-mini/annotations/captions_val2017.json"),
                TestFiles.resource("coco-mini/val2017"));
        Set<Long> ids = new HashSet<>();
        c.captions().forEach(x -> ids.add(x.id()));
        assertEquals(c.captions().size(), ids.size());
        assertEquals(1, c.presentImages().size());
    }
}

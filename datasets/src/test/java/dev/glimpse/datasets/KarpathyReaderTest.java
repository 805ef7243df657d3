package dev.glimpse.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KarpathyReaderTest {
    @TempDir
    Path dir;

    private static final String COCO = "{'dataset':'coco','images':["
            + "{'filepath':'val2014','sentids':[10,11],'filename':'COCO_val2014_000000391895.jpg','imgid':0,'split':'test',"
            + "'sentences':[{'tokens':['a','man','riding'],'raw':'A man riding.','imgid':0,'sentid':10},"
            + "{'tokens':['a','bike'],'raw':'A bike','imgid':0,'sentid':11}],'cocoid':391895},"
            + "{'filepath':'train2014','sentids':[12],'filename':'COCO_train2014_000000000009.jpg','imgid':1,'split':'restval',"
            + "'sentences':[{'tokens':['food'],'raw':'Food.','imgid':1,'sentid':12}],'cocoid':9},"
            + "{'filepath':'train2014','sentids':[13],'filename':'COCO_train2014_000000000025.jpg','imgid':2,'split':'train',"
            + "'sentences':[{'tokens':['giraffe'],'raw':'Giraffe','imgid':2,'sentid':13}],'cocoid':25}]}";

    private static final String FLICKR = "{'images':[{'sentids':[0,1],'imgid':0,'sentences':["
            + "{'tokens':['a','dog'],'raw':'A dog .','imgid':0,'sentid':0},{'tokens':['dog'],'raw':'Dog','imgid':0,'sentid':1}],"
            + "'split':'train','filename':'1000268201_693b08cb0e.jpg'},"
            + "{'sentids':[2],'imgid':1,'sentences':[{'tokens':['cat'],'raw':'Cat','imgid':1,'sentid':2}],"
            + "'split':'val','filename':'1001773457_577c3a7d70.jpg'}],'dataset':'flickr8k'}";

    @Test
    void readsCocoStyleSplit() {
        TestFiles.touch(dir.resolve("img/val2014/COCO_val2014_000000391895.jpg"));
        KarpathyDataset d = KarpathyReader.read(TestFiles.json(dir, "dataset_coco.json", COCO), dir.resolve("img"));
        assertEquals("coco", d.dataset());
        assertEquals(3, d.images().size());
        KarpathyImage first = d.images().get(0);
        assertEquals(391895L, first.id());
        assertEquals(0L, first.imgId());
        assertEquals("val2014", first.filepath());
        assertEquals(dir.resolve("img/val2014/COCO_val2014_000000391895.jpg").toAbsolutePath().normalize(), first.file());
        assertEquals(new KarpathySentence(10, "A man riding.", List.of("a", "man", "riding")), first.sentences().get(0));
        assertEquals(2, d.missingFiles().size());
        assertEquals(List.of(9L, 25L), d.split("train", "restval").stream().map(KarpathyImage::id).sorted().toList());
        assertEquals(1, d.split("test").size());
        assertThrows(IllegalArgumentException.class, () -> d.split("dev"));
        // Only the test image exists on disk, so only its two sentences pair up.
        List<ImageCaption> pairs = Batches.pairs(d, "test", "train");
        assertEquals(List.of("A man riding.", "A bike"), pairs.stream().map(ImageCaption::caption).toList());
        assertEquals(List.of(), Batches.pairs(d, "train", "restval"));
    }

    @Test
    void readsFlickrWithoutFilepathOrCocoid() {
        KarpathyDataset d = KarpathyReader.read(TestFiles.json(dir, "dataset_flickr8k.json", FLICKR), dir);
        assertEquals("flickr8k", d.dataset());
        KarpathyImage img = d.images().get(1);
        assertNull(img.cocoId());
        assertNull(img.filepath());
        assertEquals(1L, img.id());
        assertEquals(dir.toAbsolutePath().normalize().resolve("1001773457_577c3a7d70.jpg"), img.file());
        assertEquals(2, d.missingFiles().size());
        assertEquals(1, d.split("val").size());
    }

    private String fail(String json) {
        Path p = TestFiles.json(dir, "bad.json", json);
        GlimpseException e = assertThrows(GlimpseException.class, () -> KarpathyReader.read(p, dir));
        assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void validation() {
        assertTrue(fail(FLICKR.replace("'split':'val'", "'split':'dev'")).contains("images[1]: field \"split\" must be one of"));
        assertTrue(fail(FLICKR.replace("'imgid':1,'sentences'", "'imgid':0,'sentences'"))
                .contains("images[1]: duplicate imgid 0 (also images[0])"));
        assertTrue(fail(COCO.replace("'cocoid':25", "'cocoid':9")).contains("images[2]: duplicate cocoid 9 (also images[1])"));
        assertTrue(fail(FLICKR.replace("'sentid':2", "'sentid':1"))
                .endsWith("images[1].sentences[0]: duplicate sentid 1 (also images[0].sentences[1])"));
        assertTrue(fail(FLICKR.replace("'raw':'Cat','imgid':1", "'raw':'Cat','imgid':0"))
                .contains("images[1].sentences[0]: imgid 0 differs from the image's imgid 1"));
        assertTrue(fail(FLICKR.replace("'tokens':['cat']", "'tokens':['cat',3]")).contains("tokens[1] must be a string"));
        assertTrue(fail(FLICKR.replace("'raw':'Cat',", "")).contains("images[1].sentences[0]: missing field \"raw\""));
        assertTrue(fail(COCO.replace("'filepath':'train2014'", "'filepath':'../train2014'"))
                .contains("images[1] (imgid 1): field \"filepath/filename\" escapes the image root"));
        assertTrue(fail(FLICKR.replace("'filename':'1001773457_577c3a7d70.jpg'", "'filename':'/abs.jpg'"))
                .contains("images[1] (imgid 1): field \"filename\" must be a relative path"));
        assertTrue(fail("{'dataset':'x'}").endsWith("missing field \"images\""));
        assertTrue(fail(FLICKR.replace("'}],'dataset'", "'}]],'dataset'")).contains("invalid JSON at line 1, column"));
    }

    @Test
    void requireFiles() {
        Path p = TestFiles.json(dir, "f.json", FLICKR);
        GlimpseException e = assertThrows(GlimpseException.class,
                () -> KarpathyReader.read(p, dir, ReadOptions.REQUIRE_FILES));
        assertTrue(e.getMessage().contains("images[0] (imgid 0): image file not found"), e.getMessage());
    }
}

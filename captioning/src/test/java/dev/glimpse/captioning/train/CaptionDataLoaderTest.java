package dev.glimpse.captioning.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.text.Vocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionDataLoaderTest {
    @TempDir
    Path dir;

    private static CaptionTrainingConfig cfg(int maxLen) {
        return CaptionTrainingConfig.defaults().toBuilder().minWordCount(1).maxCaptionLength(maxLen).seed(3).build();
    }

    private Path coco(String name, int firstId, int images, String extraWord) throws Exception {
        StringBuilder im = new StringBuilder();
        StringBuilder an = new StringBuilder();
        for (int i = 0; i < images; i++) {
            int id = firstId + i;
            im.append(i == 0 ? "" : ",").append("{\"id\":").append(id).append(",\"file_name\":\"").append(id).append(".png\"}");
            an.append(i == 0 ? "" : ",").append("{\"id\":").append(id * 10).append(",\"image_id\":").append(id)
                    .append(",\"caption\":\"A red circle, on grass ").append(extraWord).append(".\"}");
        }
        Path f = dir.resolve(name);
        Files.writeString(f, "{\"images\":[" + im + "],\"annotations\":[" + an + "]}");
        return f;
    }

    @Test
    void cocoWithHoldoutTokenizesCutsAndBuildsTheVocabularyFromTrainingOnly() throws Exception {
        Path train = coco("train.json", 1, 40, "today");
        CaptionDataset d = new CaptionDataLoader(cfg(4), (id, f) -> true).coco(train, dir, null, null);
        assertEquals(2, d.valReferences().size(), "5% of 40 held out");
        assertEquals(38, d.train().size());
        Set<Long> trainIds = new java.util.HashSet<>();
        d.train().forEach(s -> trainIds.add(s.imageId()));
        for (long id : d.valImageIds()) {
            assertFalse(trainIds.contains(id), "held-out images are not trained on");
        }
        int[] t = d.train().get(0).tokens();
        assertEquals(4 + 2, t.length, "cut to 4 words plus <start> and <end>");
        assertEquals(Vocabulary.START, t[0]);
        assertEquals(Vocabulary.END, t[t.length - 1]);
        assertEquals("a red circle on", d.vocabulary().decode(java.util.Arrays.copyOfRange(t, 1, t.length)));
        assertFalse(d.vocabulary().contains("today"), "words past the cut never enter the vocabulary");
        assertEquals(List.of("A red circle, on grass today."), d.valReferences().values().iterator().next(),
                "references stay raw for the scorer");
    }

    @Test
    void separateValidationFileAndUnusableImages() throws Exception {
        Path train = coco("train.json", 1, 10, "x");
        Path val = coco("val.json", 100, 4, "zebra");
        CaptionDataset d = new CaptionDataLoader(cfg(16), (id, f) -> id != 3 && id != 101).coco(train, dir, val, dir);
        assertEquals(9, d.train().size());
        assertEquals(3, d.valReferences().size());
        assertFalse(d.vocabulary().contains("zebra"));
        assertTrue(d.val().stream().anyMatch(s -> java.util.Arrays.stream(s.tokens()).anyMatch(x -> x == Vocabulary.UNK)),
                "validation words unknown to training map to <unk>");
        GlimpseException e = assertThrows(GlimpseException.class,
                () -> new CaptionDataLoader(cfg(16), (id, f) -> false).coco(train, dir, val, dir));
        assertTrue(e.getMessage().contains("train.json"), e.getMessage());
    }

    @Test
    void karpathySplits() throws Exception {
        String img = "{\"split\":\"%s\",\"filepath\":\"p\",\"filename\":\"%d.jpg\",\"imgid\":%d,\"cocoid\":%d,"
                + "\"sentences\":[{\"tokens\":[\"a\",\"dog\"],\"raw\":\"A dog %s.\",\"imgid\":%d,\"sentid\":%d}]}";
        String[] splits = {"train", "restval", "val", "test", "train"};
        StringBuilder sb = new StringBuilder("{\"dataset\":\"coco\",\"images\":[");
        for (int i = 0; i < splits.length; i++) {
            sb.append(i == 0 ? "" : ",").append(String.format(img, splits[i], i, i, 500 + i, splits[i], i, i));
        }
        Path f = dir.resolve("dataset_coco.json");
        Files.writeString(f, sb.append("]}").toString());
        CaptionDataset d = new CaptionDataLoader(cfg(16), (id, file) -> true).karpathy(f, dir);
        assertEquals(Set.of(500L, 501L, 504L), Set.copyOf(d.train().stream().map(CaptionDataset.Sample::imageId).toList()));
        assertEquals(List.of(502L), List.copyOf(d.valReferences().keySet()));
        assertFalse(d.vocabulary().contains("test"), "the test split is not used");
        assertTrue(d.vocabulary().contains("restval"));
    }
}

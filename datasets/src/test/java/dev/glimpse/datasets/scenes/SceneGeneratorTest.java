package dev.glimpse.datasets.scenes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.datasets.CaptionCorpus;
import dev.glimpse.datasets.CocoCaptionsReader;
import dev.glimpse.datasets.CocoImage;
import dev.glimpse.datasets.ReadOptions;
import dev.glimpse.datasets.VqaCorpus;
import dev.glimpse.datasets.VqaQuestion;
import dev.glimpse.datasets.VqaReader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SceneGeneratorTest {
    @TempDir
    Path dir;

    @Test
    void outputReadsBackThroughOurReaders() throws IOException {
        Path out = dir.resolve("scenes");
        SceneSummary s = SceneGenerator.generate(out, 30, 12, 7, 96);
        for (SceneSplit split : List.of(s.train(), s.val())) {
            assertEquals(out.resolve("images").resolve(split.split()), split.imageDir());
            CaptionCorpus captions = CocoCaptionsReader.read(out.resolve("captions_" + split.split() + ".json"),
                    split.imageDir(), ReadOptions.REQUIRE_FILES);
            assertEquals(split.images(), captions.images().size());
            assertEquals(split.captionCount(), captions.captions().size());
            assertEquals(5 * split.images(), captions.captions().size());
            try (Stream<Path> files = Files.list(split.imageDir())) {
                assertEquals(split.images(), files.count());
            }

            VqaCorpus vqa = VqaReader.read(split.questions(), split.annotations(), split.imageDir(), ReadOptions.REQUIRE_FILES);
            assertEquals(split.questionCount(), vqa.questions().size());
            assertEquals(split.images(), vqa.images().size());
            Map<Long, String> names = new HashMap<>();
            captions.images().forEach(i -> names.put(i.id(), i.fileName()));
            VqaCorpus named = VqaReader.read(split.questions(), split.annotations(), split.imageDir(), names,
                    ReadOptions.REQUIRE_FILES);
            assertEquals(vqa.images(), named.images());
            for (VqaQuestion q : vqa.questions()) {
                assertEquals(10, q.answers().size());
                assertTrue(q.answers().stream().filter(q.multipleChoiceAnswer()::equals).count() >= 8);
                assertTrue(List.of("yes/no", "number", "other").contains(q.answerType()));
            }

            List<SceneImage> objects = SceneObjectsReader.read(split.objects());
            assertEquals(split.images(), objects.size());
            Map<Long, CocoImage> byId = captions.imagesById();
            for (SceneImage img : objects) {
                CocoImage file = byId.get(img.id());
                assertEquals(file.fileName(), img.fileName());
                BufferedImage pixels = ImageIO.read(file.file().toFile());
                assertEquals(96, pixels.getWidth());
                assertEquals(96, pixels.getHeight());
                assertTrue(img.objects().size() >= 1 && img.objects().size() <= 4);
                for (SceneImage.Placed o : img.objects()) {
                    assertTrue(o.x() >= 0 && o.y() >= 0 && o.x() + o.w() <= 96 && o.y() + o.h() <= 96, o.toString());
                    // The box centre is inside every shape we draw: its pixel must have the object's colour.
                    int rgb = pixels.getRGB(o.x() + o.w() / 2, o.y() + o.h() / 2);
                    ColorName expected = ColorName.valueOf(o.color().toUpperCase());
                    assertTrue(distance(rgb, expected.rgb()) < 40, o + " pixel " + Integer.toHexString(rgb));
                }
            }
        }
        assertEquals(1_000_001L, CocoCaptionsReader.read(s.val().captions(), s.val().imageDir()).images().get(0).id());
    }

    private static double distance(int a, int b) {
        int dr = ((a >> 16) & 255) - ((b >> 16) & 255);
        int dg = ((a >> 8) & 255) - ((b >> 8) & 255);
        int db = (a & 255) - (b & 255);
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherImages() throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path c = dir.resolve("c");
        SceneGenerator.generate(a, 20, 5, 11);
        SceneGenerator.generate(b, 20, 5, 11);
        SceneGenerator.generate(c, 20, 5, 12);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(a)) {
            files = walk.filter(Files::isRegularFile).map(a::relativize).sorted().toList();
        }
        assertEquals(25 + 8, files.size());
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f.toString());
        }
        assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.resolve("images/train/000000000001.png")),
                Files.readAllBytes(c.resolve("images/train/000000000001.png"))));
        // The val set does not depend on the train size.
        Path d = dir.resolve("d");
        SceneGenerator.generate(d, 3, 5, 11);
        assertArrayEquals(Files.readAllBytes(a.resolve("vqa_annotations_val.json")),
                Files.readAllBytes(d.resolve("vqa_annotations_val.json")));
    }

    @Test
    void smallerRerunRemovesStaleImagesOnly() throws IOException {
        Path out = dir.resolve("s");
        SceneGenerator.generate(out, 6, 2, 1);
        Path mine = out.resolve("images/train/notes.txt");
        Files.writeString(mine, "keep me");
        SceneGenerator.generate(out, 3, 2, 1);
        try (Stream<Path> files = Files.list(out.resolve("images/train"))) {
            assertEquals(4, files.count());
        }
        assertTrue(Files.exists(mine));
        assertEquals(3, CocoCaptionsReader.read(out.resolve("captions_train.json"), out.resolve("images/train"),
                ReadOptions.REQUIRE_FILES).images().size());
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(GlimpseException.class, () -> SceneGenerator.generate(dir, -1, 2, 1));
        assertThrows(GlimpseException.class, () -> SceneGenerator.generate(dir, 1, 2, 1, 8));
    }
}

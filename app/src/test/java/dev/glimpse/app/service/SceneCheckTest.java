package dev.glimpse.app.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.app.Main;
import dev.glimpse.common.Backend;
import dev.glimpse.common.image.FitWindow;
import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.io.Json;
import dev.glimpse.datasets.scenes.SceneGenerator;
import dev.glimpse.datasets.scenes.SceneSummary;
import dev.glimpse.datasets.scenes.ShapeKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code glimpse evaluate scenes}: its counts equal a recount from what {@code glimpse caption --beam 1}
 * prints, its masses equal an independent estimate from the printed attention weights, and the
 * box/cell overlap behind them is right on maps whose answer is known.
 */
class SceneCheckTest {
    @TempDir
    static Path dir;
    static SceneSummary scenes;
    static Path model;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void trainTinyCaptioner() {
        Backend.init();
        scenes = SceneGenerator.generate(dir.resolve("scenes"), 48, 24, 7, 64);
        model = dir.resolve("model.zip");
        Result r = run("train", "captioner",
                "--captions", scenes.train().captions().toString(), "--images", scenes.train().imageDir().toString(),
                "--val-captions", scenes.val().captions().toString(), "--val-images", scenes.val().imageDir().toString(),
                "--encoder", "squeezenet", "--random-init-encoder", "--encoder-size", "64",
                "--epochs", "3", "--batch", "16", "--lr", "0.01", "--dropout", "0",
                "--embed", "16", "--hidden", "32", "--attention-dim", "16", "--min-word-count", "1",
                "--checkpoint-every", "0", "--quiet", "--out", model.toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void countsAndMassesEqualARecountFromTheCaptionCommand() throws Exception {
        Result r = run("evaluate", "scenes", "--model", model.toString(), "--scenes", scenes.out().toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode check = Json.MAPPER.readTree(r.out());

        // The one-object scenes, read straight from the file the generator wrote.
        List<JsonNode> one = new ArrayList<>();
        for (JsonNode img : Json.MAPPER.readTree(scenes.val().objects().toFile()).get("images")) {
            if (img.get("objects").size() == 1) {
                one.add(img);
            }
        }
        assertFalse(one.isEmpty(), "the generator writes one-object scenes");
        List<String> files = new ArrayList<>(List.of("caption", "--model", model.toString(), "--beam", "1", "--json"));
        one.forEach(img -> files.add(scenes.val().imageDir().resolve(img.get("file_name").asText()).toString()));
        Result captioned = run(files.toArray(String[]::new));
        assertEquals(0, captioned.code(), captioned.err());
        JsonNode captions = Json.MAPPER.readTree(captioned.out()).get("captions");
        assertEquals(one.size(), captions.size());

        int right = 0;
        int colour = 0;
        int shape = 0;
        double shapeMass = 0;
        int shapeCount = 0;
        double colourMass = 0;
        int colourCount = 0;
        for (int i = 0; i < one.size(); i++) {
            JsonNode o = one.get(i).get("objects").get(0);
            JsonNode c = captions.get(i);
            List<String> words = Arrays.asList(c.get("caption").asText().split(" "));
            String colourWord = o.get("color").asText();
            List<String> shapeWords = shapeWords(o.get("shape").asText());
            int colourAt = words.indexOf(colourWord);
            int shapeAt = firstOf(words, shapeWords);
            colour += colourAt >= 0 ? 1 : 0;
            shape += shapeAt >= 0 ? 1 : 0;
            right += colourAt >= 0 && shapeAt >= 0 ? 1 : 0;
            JsonNode verdict = check.get("per_scene").get(i);
            assertEquals(c.get("caption").asText(), verdict.get("caption").asText(), "the same greedy caption");
            JsonNode att = c.get("attention");
            JsonNode box = o.get("bbox");
            int size = one.get(i).get("width").asInt();
            if (shapeAt >= 0) {
                double m = sampledMass(att, shapeAt, box, size);
                assertEquals(m, verdict.get("shape_mass").asDouble(), 0.01, c.get("caption").asText());
                shapeMass += m;
                shapeCount++;
            } else {
                assertFalse(verdict.has("shape_mass"));
            }
            if (colourAt >= 0) {
                double m = sampledMass(att, colourAt, box, size);
                assertEquals(m, verdict.get("color_mass").asDouble(), 0.01, c.get("caption").asText());
                colourMass += m;
                colourCount++;
            }
        }
        assertEquals(one.size(), check.get("scenes").asInt());
        assertEquals(right, check.get("right").asInt());
        assertEquals(colour, check.get("color_named").asInt());
        assertEquals(shape, check.get("shape_named").asInt());
        assertTrue(shapeCount > 0 && colourCount > 0, "the tiny model names some colour and shape: " + r.out());
        assertMean(shapeMass / shapeCount, shapeCount, check.get("shape_word"));
        assertMean(colourMass / colourCount, colourCount, check.get("color_word"));

        Result text = run("evaluate", "scenes", "--model", model.toString(), "--scenes", scenes.out().toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().startsWith(String.format(java.util.Locale.ROOT,
                "one-object scenes: colour+shape right %d/%d (", right, one.size())), text.out());
    }

    private static void assertMean(double expected, int count, JsonNode word) {
        double mean = word.get("mean").asDouble();
        assertTrue(mean >= 0 && mean <= 1, "a mass is a share of the attention: " + mean);
        assertEquals(expected, mean, 0.01);
        assertEquals(count, word.get("captions").asInt());
        double uniform = word.get("uniform").asDouble();
        assertTrue(uniform > 0 && uniform < 1, "an object covers part of the image: " + uniform);
    }

    private static List<String> shapeWords(String shape) {
        for (ShapeKind k : ShapeKind.values()) {
            if (k.word().equals(shape)) {
                return List.of(k.word(), k.plural());
            }
        }
        throw new AssertionError("unknown shape " + shape);
    }

    private static int firstOf(List<String> words, List<String> wanted) {
        for (int i = 0; i < words.size(); i++) {
            if (wanted.contains(words.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The mass by brute force: sample points evenly over the (squashed, square) image, find each point's
     * grid cell and whether it is inside the box, and add the cell's weight over its number of points.
     */
    private static double sampledMass(JsonNode att, int word, JsonNode box, int size) {
        int rows = att.get("grid_rows").asInt();
        int cols = att.get("grid_cols").asInt();
        JsonNode weights = att.get("words").get(word).get("weights");
        int n = 1024;
        int[] inside = new int[rows * cols];
        int[] all = new int[rows * cols];
        double bx = box.get(0).asDouble();
        double by = box.get(1).asDouble();
        double bw = box.get(2).asDouble();
        double bh = box.get(3).asDouble();
        for (int yi = 0; yi < n; yi++) {
            double y = (yi + 0.5) * size / n;
            int r = (int) (y * rows / size);
            for (int xi = 0; xi < n; xi++) {
                double x = (xi + 0.5) * size / n;
                int cell = r * cols + (int) (x * cols / size);
                all[cell]++;
                if (x >= bx && x < bx + bw && y >= by && y < by + bh) {
                    inside[cell]++;
                }
            }
        }
        double m = 0;
        for (int c = 0; c < all.length; c++) {
            m += weights.get(c).asDouble() * inside[c] / all[c];
        }
        return m;
    }

    @Test
    void badInputIsOneLineNamingTheFile() {
        Result missing = run("evaluate", "scenes", "--model", model.toString(), "--scenes", dir.resolve("nowhere").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("objects_val.json") && missing.err().strip().lines().count() == 1, missing.err());
        Result split = run("evaluate", "scenes", "--model", model.toString(), "--scenes", scenes.out().toString(),
                "--split", "test");
        assertEquals(2, split.code());
        assertTrue(split.err().contains("--split"), split.err());
    }

    @Test
    void cellSharesCountTheAreaOfEachCellInsideTheBox() {
        FitWindow whole = new FitWindow(0, 0, 128, 128);
        // 4x4 cells of 32 px: the box is exactly cell (row 1, column 2).
        double[] exact = BoxMass.cellShares(whole, 4, 4, 64, 32, 32, 32);
        double[] expected = new double[16];
        expected[4 + 2] = 1;
        assertArrayEquals(expected, exact, 1e-12);
        // Half of cell (0, 0) and a quarter of cell (0, 1).
        double[] partial = BoxMass.cellShares(whole, 4, 4, 16, 0, 24, 32);
        assertEquals(0.5, partial[0], 1e-12);
        assertEquals(0.25, partial[1], 1e-12);
        assertEquals((0.5 + 0.25) / 16, BoxMass.uniform(partial), 1e-12);
        // Non-square grids and windows: each axis is split on its own.
        double[] wide = BoxMass.cellShares(new FitWindow(0, 0, 300, 100), 2, 3, 0, 0, 150, 50);
        assertArrayEquals(new double[] {1, 0.5, 0, 0, 0, 0}, wide, 1e-12);
    }

    @Test
    void cropWindowsPutTheGridOverTheCentreAsThePreprocessorDoes() {
        // 200x100 cropped to the centre 100x100 square, as the encoder is fed.
        FitWindow crop = PreprocessSpec.ResizeMode.CENTER_CROP.window(200, 100);
        assertEquals(new FitWindow(50, 0, 100, 100), crop);
        double[] cutOff = BoxMass.cellShares(crop, 2, 2, 0, 0, 50, 100);
        assertArrayEquals(new double[4], cutOff, 1e-12);
        double[] all = BoxMass.cellShares(crop, 2, 2, 0, 0, 200, 100);
        assertArrayEquals(new double[] {1, 1, 1, 1}, all, 1e-12);
        FitWindow imagenet = PreprocessSpec.ResizeMode.CENTER_CROP_0875.window(256, 256);
        assertEquals(16, imagenet.x(), 1e-12);
        assertEquals(224, imagenet.width(), 1e-12);
        assertEquals(new FitWindow(0, 0, 200, 100), PreprocessSpec.ResizeMode.SQUASH.window(200, 100));
    }

    @Test
    void attentionInsideTheBoxWeighsOneAndOutsideItZero() {
        FitWindow whole = new FitWindow(0, 0, 64, 64);
        int rows = 8;
        int cols = 8;
        // An object over cells (2..4, 3..5) of an 8x8 grid of 8 px cells.
        double[] shares = BoxMass.cellShares(whole, rows, cols, 24, 16, 24, 24);
        float[] in = new float[rows * cols];
        float[] out = new float[rows * cols];
        Map<Integer, Boolean> inside = new HashMap<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                inside.put(r * cols + c, r >= 2 && r <= 4 && c >= 3 && c <= 5);
            }
        }
        int nIn = (int) inside.values().stream().filter(b -> b).count();
        inside.forEach((cell, isIn) -> {
            if (isIn) {
                in[cell] = 1f / nIn;
            } else {
                out[cell] = 1f / (rows * cols - nIn);
            }
        });
        assertEquals(1.0, BoxMass.mass(in, shares), 1e-6);
        assertEquals(0.0, BoxMass.mass(out, shares), 1e-6);
        float[] uniform = new float[rows * cols];
        Arrays.fill(uniform, 1f / (rows * cols));
        assertEquals(BoxMass.uniform(shares), BoxMass.mass(uniform, shares), 1e-6);
        assertEquals(9.0 / 64, BoxMass.uniform(shares), 1e-12);
    }

    @Test
    void phrasesAreFoundAsWholeWordsFirstOccurrenceFirst() {
        List<String> tokens = List.of("two", "red", "circles", "and", "a", "red", "circle");
        assertArrayEquals(new int[] {2, 1}, SceneCheck.find(tokens, List.of("circle", "circles")));
        assertArrayEquals(new int[] {1, 2}, SceneCheck.find(tokens, List.of("red circles")));
        assertNull(SceneCheck.find(tokens, List.of("circ")));
        assertNull(SceneCheck.find(List.of(), List.of("red")));
    }
}

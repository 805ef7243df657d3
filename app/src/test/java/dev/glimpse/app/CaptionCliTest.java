package dev.glimpse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.captioning.model.CaptionModel;
import dev.glimpse.common.Backend;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.train.EpochMetrics;
import dev.glimpse.datasets.scenes.SceneGenerator;
import dev.glimpse.datasets.scenes.SceneSummary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the command line on a few synthetic scenes with a random-init encoder:
 * train, resume, caption (text, JSON, attention map), bad inputs. Small on purpose (CI budget).
 */
class CaptionCliTest {
    @TempDir
    static Path dir;
    static SceneSummary scenes;
    static Path model;
    static Result trained;

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static List<String> trainArgs(int epochs, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "captioner",
                "--captions", scenes.train().captions().toString(), "--images", scenes.train().imageDir().toString(),
                "--val-captions", scenes.val().captions().toString(), "--val-images", scenes.val().imageDir().toString(),
                "--encoder", "squeezenet", "--random-init-encoder", "--encoder-size", "64",
                "--epochs", String.valueOf(epochs), "--batch", "16", "--lr", "0.01", "--dropout", "0",
                "--embed", "16", "--hidden", "32", "--attention-dim", "16", "--min-word-count", "1",
                "--checkpoint-every", "0", "--quiet", "--out", model.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    @BeforeAll
    static void trainOnce() {
        Backend.init();
        scenes = SceneGenerator.generate(dir.resolve("scenes"), 32, 8, 5, 64);
        model = dir.resolve("model.zip");
        trained = run(trainArgs(2).toArray(String[]::new));
    }

    @Test
    void trainsAModelThatLoadsAndWhoseLossFalls() {
        assertEquals(0, trained.code(), trained.err());
        assertTrue(trained.out().contains("best model: " + model), trained.out());
        assertTrue(Files.isRegularFile(model));
        assertTrue(Files.isRegularFile(dir.resolve("model.ckpt.zip")));
        assertTrue(Files.isRegularFile(dir.resolve("model.loss.png")));
        CaptionModel m = CaptionModel.read(model);
        assertEquals("squeezenet", m.imageSide().encoder().name());
        assertTrue(m.imageSide().encoder().randomInit());
        List<EpochMetrics> h = CaptionModel.from(ModelBundle.read(dir.resolve("model.ckpt.zip")), model).training().history();
        assertTrue(h.size() >= 2);
        assertTrue(h.get(h.size() - 1).trainLoss() < h.get(0).trainLoss(), "loss falls: " + h);
    }

    @Test
    void resumeContinuesTheCheckpoint() {
        // Runs on a copy so the other tests keep their 2-epoch model.
        Result r;
        try {
            Path copy = dir.resolve("resume");
            Files.createDirectories(copy);
            Files.copy(dir.resolve("model.ckpt.zip"), copy.resolve("model.ckpt.zip"));
            List<String> args = trainArgs(3, "--resume");
            args.set(args.indexOf("--out") + 1, copy.resolve("model.zip").toString());
            r = run(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("resuming"), r.err());
            List<EpochMetrics> h = CaptionModel.from(ModelBundle.read(copy.resolve("model.ckpt.zip")), copy).training().history();
            assertEquals(3, h.size());
            assertEquals(List.of(1, 2, 3), h.stream().map(EpochMetrics::epoch).toList());

            List<String> other = trainArgs(3, "--resume");
            other.set(other.indexOf("--hidden") + 1, "24");
            other.set(other.indexOf("--out") + 1, copy.resolve("model.zip").toString());
            Result bad = run(other.toArray(String[]::new));
            assertEquals(2, bad.code());
            assertTrue(bad.err().contains("hiddenDim"), bad.err());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void trainsAGruWithTruncatedBpttAndRefusesUnknownCells() throws Exception {
        Path gruDir = dir.resolve("gru");
        Files.createDirectories(gruDir);
        List<String> args = trainArgs(1, "--cell", "gru", "--tbptt", "4");
        args.set(args.indexOf("--out") + 1, gruDir.resolve("gru.zip").toString());
        Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        CaptionModel m = CaptionModel.read(gruDir.resolve("gru.zip"));
        assertEquals(dev.glimpse.common.nn.CellKind.GRU, m.net().cell());
        assertTrue(Files.size(gruDir.resolve("gru.gradflow.png")) > 1000);
        assertTrue(r.out().contains("gradient flow: " + gruDir.resolve("gru.gradflow.png")), r.out());
        assertTrue(r.out().contains("gradients, epoch 1: gradient norm before clipping"), r.out());
        List<Double> flow = m.training().history().get(0).gradFlow();
        assertTrue(flow.size() >= 5 && flow.stream().allMatch(v -> v >= 0), flow.toString());
        JsonNode config = Json.MAPPER.valueToTree(m.training().config());
        assertEquals("gru", config.get("cell").asText());
        assertEquals(4, config.get("tbptt").asInt());
        Path image;
        try (var files = Files.list(scenes.val().imageDir())) {
            image = files.findFirst().orElseThrow();
        }
        Result caption = run("caption", image.toString(), "--model", gruDir.resolve("gru.zip").toString());
        assertEquals(0, caption.code(), caption.err());

        List<String> resumeAsGru = trainArgs(3, "--resume", "--cell", "gru");
        Path copy = dir.resolve("resume-gru");
        Files.createDirectories(copy);
        Files.copy(dir.resolve("model.ckpt.zip"), copy.resolve("model.ckpt.zip"));
        resumeAsGru.set(resumeAsGru.indexOf("--out") + 1, copy.resolve("model.zip").toString());
        Result bad = run(resumeAsGru.toArray(String[]::new));
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("net.cell (none) -> gru"), bad.err());

        Result unknown = run(trainArgs(1, "--cell", "lstm2").toArray(String[]::new));
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--cell") && unknown.err().contains("lstm2"), unknown.err());
        assertFalse(unknown.err().contains("\tat "), unknown.err());
        Result negative = run(trainArgs(1, "--tbptt", "-1").toArray(String[]::new));
        assertEquals(2, negative.code());
        assertTrue(negative.err().contains("--tbptt"), negative.err());

        Result help = run("train", "captioner", "--help");
        assertTrue(help.out().contains("--cell") && help.out().contains("--tbptt"), help.out());
    }

    @Test
    void captionsImagesAndReportsBadOnesWithoutStopping() throws Exception {
        Path a = scenes.val().imageDir().resolve(Files.list(scenes.val().imageDir()).sorted().findFirst().orElseThrow().getFileName());
        Path bad = dir.resolve("not-an-image.jpg");
        Files.writeString(bad, "hello");
        Result r = run("caption", a.toString(), bad.toString(), scenes.val().imageDir().toString(), "--model", model.toString());
        assertEquals(2, r.code(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(1 + 8, lines.length, r.out());
        for (String line : lines) {
            String[] parts = line.split("\t");
            assertEquals(2, parts.length, line);
            assertFalse(parts[1].isBlank(), line);
        }
        assertTrue(r.err().contains("not-an-image.jpg"), r.err());
        assertEquals(1, r.err().strip().split("\n").length, "one line per bad file: " + r.err());
    }

    /** --bf16 captions greedily through the bfloat16 path where the CPU has it, and says so where it has not. */
    @Test
    void bf16GreedyCaptionOfOneImage() throws Exception {
        Path img = Files.list(scenes.val().imageDir()).sorted().findFirst().orElseThrow();
        Result r = run("caption", img.toString(), "--model", model.toString(), "--beam", "1", "--bf16");
        assertEquals(0, r.code(), r.err());
        String[] parts = r.out().strip().split("\t");
        assertEquals(2, parts.length, r.out());
        assertTrue(parts[0].endsWith(img.getFileName().toString()) && !parts[1].isBlank(), r.out());
        assertEquals(!dev.glimpse.common.nn.Bf16RowProduct.supported(), r.err().contains("no AVX512_BF16"), r.err());
    }

    @Test
    void jsonAndAttentionMap() throws Exception {
        Path img = Files.list(scenes.val().imageDir()).sorted().findFirst().orElseThrow();
        Path png = dir.resolve("att.png");
        Result r = run("caption", img.toString(), "--model", model.toString(), "--json", "--beam", "2",
                "--attention-map", png.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode root = Json.MAPPER.readTree(r.out());
        JsonNode c = root.get("captions").get(0);
        assertFalse(c.get("caption").asText().isBlank());
        assertTrue(c.get("alternatives").isArray());
        JsonNode att = c.get("attention");
        int cells = att.get("grid_rows").asInt() * att.get("grid_cols").asInt();
        JsonNode words = att.get("words");
        assertEquals(c.get("caption").asText().split(" ").length, words.size());
        double sum = 0;
        for (JsonNode w : words.get(0).get("weights")) {
            sum += w.asDouble();
        }
        assertEquals(cells, words.get(0).get("weights").size());
        assertEquals(1.0, sum, 1e-3);
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 224);
    }

    @Test
    void evaluateGeneratesCaptionsWithTheModelAndScoresThem() throws Exception {
        Path res = dir.resolve("results.json");
        Result r = run("evaluate", "captions", "--model", model.toString(), "--references",
                scenes.val().captions().toString(), "--images", scenes.val().imageDir().toString(), "--beam", "1",
                "--save-results", res.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("scored 8 of 8 images") && r.out().contains("CIDEr-D"), r.out());
        JsonNode saved = Json.MAPPER.readTree(res.toFile());
        assertEquals(8, saved.size());
        assertTrue(saved.get(0).has("image_id") && saved.get(0).has("caption"));
        Result both = run("evaluate", "captions", "--model", model.toString(), "--results", res.toString(),
                "--references", scenes.val().captions().toString());
        assertEquals(2, both.code(), "--model and --results exclude each other");
    }

    @Test
    void missingDefaultModelSaysHowToGetOne() {
        String home = System.getProperty("user.home");
        try {
            System.setProperty("user.home", dir.resolve("empty-home").toString());
            Result r = run("caption", "x.png");
            assertEquals(2, r.code());
            assertTrue(r.err().contains("glimpse train captioner") && r.err().contains("--model"), r.err());
        } finally {
            System.setProperty("user.home", home);
        }
    }

    @Test
    void trainRefusesContradictoryData() {
        Result r = run("train", "captioner", "--captions", "a.json", "--karpathy", "b.json", "--images", ".",
                "--out", dir.resolve("x.zip").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("either --captions FILE or --karpathy FILE"), r.err());
    }
}

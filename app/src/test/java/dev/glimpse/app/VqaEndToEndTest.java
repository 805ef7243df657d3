package dev.glimpse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.Backend;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.train.EpochMetrics;
import dev.glimpse.datasets.scenes.SceneGenerator;
import dev.glimpse.vqa.VqaModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole VQA path on tiny synthetic scenes with a small random-init encoder and tiny layers:
 * train (validating on the training questions), train the blind baseline the same way, evaluate,
 * reload the model file and ask. Real behaviour, small enough for CI.
 */
class VqaEndToEndTest {
    @TempDir
    static Path dir;
    static Path scenes;

    @BeforeAll
    static void data() {
        Backend.init();
        scenes = dir.resolve("scenes");
        SceneGenerator.generate(scenes, 12, 2, 5, 64);
    }

    private static String[] train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "vqa",
                "--questions", scenes.resolve("vqa_questions_train.json").toString(),
                "--annotations", scenes.resolve("vqa_annotations_train.json").toString(),
                "--images", scenes.resolve("images/train").toString(),
                "--val-questions", scenes.resolve("vqa_questions_train.json").toString(),
                "--val-annotations", scenes.resolve("vqa_annotations_train.json").toString(),
                "--encoder", "squeezenet", "--random-init-encoder",
                "--epochs", "20", "--batch", "32", "--lr", "0.01", "--decay-after", "1000",
                "--embed", "16", "--hidden", "32", "--layers", "1", "--fused", "64", "--dropout", "0",
                "--quiet", "--out", out.toString()));
        args.addAll(List.of(extra));
        return args.toArray(new String[0]);
    }

    private static double bestAccuracy(VqaModel m) {
        return m.training().history().stream().mapToDouble(e -> e.validation().get("accuracy")).max().orElseThrow();
    }

    @Test
    void trainsAGruQuestionEncoderWithTruncatedBpttAndAnswers() throws Exception {
        Path gru = dir.resolve("gru.zip");
        List<String> args = new ArrayList<>(List.of(train(gru, "--cell", "gru", "--tbptt", "3")));
        args.set(args.indexOf("--epochs") + 1, "2");
        VqaCli.Run run = VqaCli.run(args.toArray(new String[0]));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("gradient flow: ") && run.out().contains("gradients, epoch 2"), run.out());
        assertTrue(Files.size(dir.resolve("gru.gradflow.png")) > 1000);
        VqaModel model = VqaModel.load(gru);
        assertEquals(dev.glimpse.common.nn.CellKind.GRU, model.config().cell());
        assertEquals("gru", model.training().config().get("cell"));
        assertEquals(3, ((Number) model.training().config().get("tbptt")).intValue());
        List<EpochMetrics> history = model.training().history();
        assertTrue(history.get(history.size() - 1).gradFlow().size() >= 3, history.toString());
        Path image = Files.list(scenes.resolve("images/train")).sorted().findFirst().orElseThrow();
        run = VqaCli.run("ask", image.toString(), "What color is the circle?", "--model", gru.toString());
        assertEquals(0, run.exitCode(), run.err());
    }

    @Test
    void trainsBeatsTheBlindModelOnTrainingDataAndAnswers() throws Exception {
        Path full = dir.resolve("vqa.zip");
        VqaCli.Run run = VqaCli.run(train(full));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains("training questions kept"), run.err());
        Path blind = dir.resolve("blind.zip");
        run = VqaCli.run(train(blind, "--question-only"));
        assertEquals(0, run.exitCode(), run.err());

        VqaModel model = VqaModel.load(full);
        List<EpochMetrics> h = model.training().history();
        assertTrue(h.get(h.size() - 1).trainLoss() < 0.7 * h.get(0).trainLoss(),
                "loss " + h.get(0).trainLoss() + " -> " + h.get(h.size() - 1).trainLoss());
        double fullAcc = bestAccuracy(model);
        double blindAcc = bestAccuracy(VqaModel.load(blind));
        assertTrue(fullAcc > blindAcc + 15, "full " + fullAcc + " vs blind " + blindAcc);

        // the validation answers written beside the model score the same through evaluate
        Path results = dir.resolve("vqa.val-results.json");
        run = VqaCli.run("evaluate", "vqa", "--results", results.toString(),
                "--questions", scenes.resolve("vqa_questions_train.json").toString(),
                "--annotations", scenes.resolve("vqa_annotations_train.json").toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains(String.format("VQA accuracy: %.2f", fullAcc)), run.out() + " vs " + fullAcc);

        // ... and so do the model's answers from images, one process for the whole file: evaluate --model,
        // and ask --questions writing results that evaluate --results scores the same
        String q = scenes.resolve("vqa_questions_train.json").toString();
        String a = scenes.resolve("vqa_annotations_train.json").toString();
        String imgs = scenes.resolve("images/train").toString();
        run = VqaCli.run("evaluate", "vqa", "--model", full.toString(), "--images", imgs, "--questions", q, "--annotations", a);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains(String.format("VQA accuracy: %.2f", fullAcc)), run.out() + " vs " + fullAcc);
        Path answered = dir.resolve("answered.json");
        run = VqaCli.run("ask", "--questions", q, "--images", imgs, "--out", answered.toString(), "--model", full.toString());
        assertEquals(0, run.exitCode(), run.err());
        run = VqaCli.run("evaluate", "vqa", "--results", answered.toString(), "--questions", q, "--annotations", a);
        assertTrue(run.out().contains(String.format("VQA accuracy: %.2f", fullAcc)), run.out() + " vs " + fullAcc);

        Path image = Files.list(scenes.resolve("images/train")).sorted().findFirst().orElseThrow();
        run = VqaCli.run("ask", image.toString(), "What color is the circle?", "--model", full.toString(),
                "--top", "2", "--json");
        assertEquals(0, run.exitCode(), run.err());
        JsonNode answers = Json.MAPPER.readTree(run.out()).get("answers");
        assertEquals(2, answers.size());
        assertTrue(answers.get(0).get("probability").asDouble() >= answers.get(1).get("probability").asDouble());
        assertTrue(model.answers().indexOf(answers.get(0).get("answer").asText()) >= 0);

        run = VqaCli.run("ask", image.toString(), "", "--model", full.toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("the question is empty"), run.err());
        run = VqaCli.run("ask", image.toString(), "what", "--model", dir.resolve("missing.zip").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("missing.zip: model file not found"), run.err());
    }
}

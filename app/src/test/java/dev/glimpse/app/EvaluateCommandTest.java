package dev.glimpse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.captioning.eval.CaptionEvaluator;
import dev.glimpse.captioning.eval.CocoCaptionJson;
import dev.glimpse.captioning.eval.EvaluationReport;
import dev.glimpse.common.io.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {
    @TempDir
    Path tmp;
    Path refs;
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    @BeforeEach
    void files() throws Exception {
        refs = Files.writeString(tmp.resolve("captions_val.json"), """
                {"images": [{"id": 1}, {"id": 2}, {"id": 3}],
                 "annotations": [
                   {"image_id": 1, "id": 10, "caption": "A man riding a horse on the beach."},
                   {"image_id": 1, "id": 11, "caption": "A person rides a brown horse."},
                   {"image_id": 2, "id": 12, "caption": "Two dogs playing with a red ball."},
                   {"image_id": 2, "id": 13, "caption": "Dogs play in the grass."},
                   {"image_id": 3, "id": 14, "caption": "A plate of food on a table."}]}""");
    }

    private int run(String... args) {
        // newCommandLine, not Main.run: evaluation needs no ND4J backend.
        return Main.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    private Path results(String json) throws Exception {
        return Files.writeString(tmp.resolve("res.json"), json);
    }

    @Test
    void printsTableAndWritesPerImageScores() throws Exception {
        Path res = results("[{\"image_id\": 2, \"caption\": \"two dogs play with a ball\"},"
                + " {\"image_id\": 1, \"caption\": \"a man riding a horse\"}]");
        Path scores = tmp.resolve("out/scores.json");
        assertEquals(0, run("evaluate", "captions", "--results", res.toString(), "--references", refs.toString(),
                "--out", scores.toString()), err.toString());
        String text = out.toString();
        assertTrue(text.contains("coco-caption scale 0-1"), text);
        assertTrue(text.contains("scored 2 of 3 images"), text);
        assertTrue(text.contains("METEOR: unavailable (pass --meteor-jar)"), text);
        assertTrue(text.contains("SPICE: unavailable"), text);

        EvaluationReport want = CaptionEvaluator.evaluate(CocoCaptionJson.readReferences(refs),
                CocoCaptionJson.readResults(res, null, ""));
        assertTrue(text.contains(String.format("BLEU-4:   %.4f", want.score(EvaluationReport.BLEU_4))), text);
        assertTrue(text.contains(String.format("CIDEr-D:  %.4f", want.score(EvaluationReport.CIDER_D))), text);
        JsonNode json = Json.MAPPER.readTree(scores.toFile());
        assertEquals(2, json.get("scored_images").asInt());
        assertEquals(want.score("ROUGE_L"), json.get("overall").get("ROUGE_L").asDouble(), 0);
        assertEquals(1, json.get("images").get(0).get("image_id").asLong());   // references' order
        assertEquals(want.images().get(1).scores().get("CIDEr"),
                json.get("images").get(1).get("CIDEr").asDouble(), 0);
    }

    @Test
    void badInputExitsTwoWithOneLine() throws Exception {
        Path unknown = results("[{\"image_id\": 77, \"caption\": \"x\"}]");
        assertEquals(2, run("evaluate", "captions", "--results", unknown.toString(), "--references", refs.toString()));
        assertTrue(err.toString().contains("[0]: image_id 77 is not in the references"), err.toString());

        Path noCaption = results("[{\"image_id\": 1, \"caption\": \"x\"}, {\"image_id\": 2}]");
        assertEquals(2, run("evaluate", "captions", "--results", noCaption.toString(), "--references", refs.toString()));
        assertTrue(err.toString().contains("[1]: missing field \"caption\""), err.toString());

        Path dup = results("[{\"image_id\": 1, \"caption\": \"x\"}, {\"image_id\": 1, \"caption\": \"y\"}]");
        assertEquals(2, run("evaluate", "captions", "--results", dup.toString(), "--references", refs.toString()));
        assertTrue(err.toString().contains("duplicate image_id 1"), err.toString());

        Path broken = results("[{\"image_id\": 1, \"caption\": \"x\"");
        assertEquals(2, run("evaluate", "captions", "--results", broken.toString(), "--references", refs.toString()));
        assertTrue(err.toString().contains("res.json: invalid JSON at line 1"), err.toString());
        assertTrue(!err.toString().contains("Exception"), err.toString());

        assertEquals(2, run("evaluate", "captions", "--references", refs.toString()));
        assertTrue(err.toString().contains("--results"), err.toString());
    }

    @Test
    void evaluateAloneListsItsSubcommands() {
        assertEquals(0, run("evaluate"));
        assertTrue(out.toString().contains("captions"), out.toString());
    }
}

package dev.glimpse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.io.Json;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models written before the image side had a record of its own (the captioner's encoder spec with
 * norm.* statistics, the VQA model's raw encoder info with feature_mean/feature_scale) still load
 * and give what the version that wrote them gave (outputs-c924339.json, produced by that version).
 */
class LegacyModelsTest {
    @TempDir
    Path dir;

    private Path resource(String name) throws Exception {
        Path f = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("/legacy/" + name)) {
            Files.copy(in, f);
        }
        return f;
    }

    private static JsonNode run(String... args) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        return Json.MAPPER.readTree(out.toString());
    }

    @Test
    void modelsOfTheEarlierLayoutCaptionAndAnswerAsBefore() throws Exception {
        JsonNode before = Json.MAPPER.readTree(getClass().getResourceAsStream("/legacy/outputs-c924339.json"));
        Path image = resource("scene.png");
        JsonNode c = run("caption", image.toString(), "--model", resource("legacy-captioner.zip").toString(),
                "--json", "--beam", "3").get("captions").get(0);
        JsonNode want = before.get("caption");
        assertEquals(want.get("caption").asText(), c.get("caption").asText());
        assertEquals(want.get("score").asDouble(), c.get("score").asDouble(), 1e-5 * Math.abs(want.get("score").asDouble()));
        assertEquals(want.get("alternatives").size(), c.get("alternatives").size());
        for (int i = 0; i < want.get("alternatives").size(); i++) {
            assertEquals(want.get("alternatives").get(i).get("caption").asText(), c.get("alternatives").get(i).get("caption").asText());
        }

        JsonNode a = run("ask", image.toString(), before.get("ask").get("question").asText(),
                "--model", resource("legacy-vqa.zip").toString(), "--json", "--top", "3").get("answers");
        JsonNode wantAnswers = before.get("ask").get("answers");
        assertEquals(wantAnswers.size(), a.size());
        for (JsonNode w : wantAnswers) {
            double got = -1;
            for (JsonNode x : a) {
                if (x.get("answer").asText().equals(w.get("answer").asText())) {
                    got = x.get("probability").asDouble();
                }
            }
            assertEquals(w.get("probability").asDouble(), got, 1e-5, w.get("answer").asText());
        }
    }
}

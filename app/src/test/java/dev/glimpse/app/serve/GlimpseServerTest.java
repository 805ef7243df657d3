package dev.glimpse.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.Backend;
import dev.glimpse.common.io.Json;
import java.awt.Color;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GlimpseServerTest {
    private final FakeEngine engine = new FakeEngine();
    private GlimpseServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private GlimpseServer start(ServerLimits limits) {
        server = new GlimpseServer(engine.services(limits), limits).start("127.0.0.1", 0);
        return server;
    }

    @Test
    void captionAndAskUseTheUploadedImage() throws Exception {
        start(ServerLimits.defaults());
        HttpResponse<String> r = post("/api/caption", Map.of(), TestImages.png(Color.GREEN, 64));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = Json.MAPPER.readTree(r.body());
        assertEquals("a green picture", body.get("caption").asText());
        JsonNode words = body.get("attention").get("words");
        assertEquals(16, words.get(1).get("weights").size());
        assertEquals(1.0, words.get(1).get("weights").get(0).asDouble(), 1e-6, "white square is top-left");

        HttpResponse<String> a = post("/api/ask", Map.of("question", "what color is it?", "top", "2"),
                TestImages.png(Color.BLUE, 32));
        assertEquals(200, a.statusCode(), a.body());
        JsonNode answers = Json.MAPPER.readTree(a.body()).get("answers");
        assertEquals(2, answers.size());
        assertEquals("blue", answers.get(0).get("answer").asText());

        HttpResponse<String> health = http.send(HttpRequest.newBuilder(uri("/api/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertTrue(Json.MAPPER.readTree(health.body()).get("captioner").asBoolean());
    }

    @Test
    void badInputGets4xxWithAMessage() throws Exception {
        start(new ServerLimits(200_000, 1_000_000, 10, 4));
        HttpResponse<String> notImage = post("/api/caption", Map.of(), "hello, not an image".getBytes(StandardCharsets.UTF_8));
        assertEquals(400, notImage.statusCode(), notImage.body());
        assertTrue(Json.MAPPER.readTree(notImage.body()).get("error").asText().length() > 5);

        HttpResponse<String> tooManyPixels = post("/api/caption", Map.of(), TestImages.png(Color.RED, 1100));
        assertEquals(400, tooManyPixels.statusCode(), tooManyPixels.body());

        HttpResponse<String> huge = post("/api/caption", Map.of(), new byte[400_000]);
        assertTrue(huge.statusCode() == 413 || huge.statusCode() == 400, huge.statusCode() + " " + huge.body());

        HttpResponse<String> noQuestion = post("/api/ask", Map.of("question", " "), TestImages.png(Color.RED, 16));
        assertEquals(400, noQuestion.statusCode());
        HttpResponse<String> longQuestion = post("/api/ask", Map.of("question", "why ".repeat(80)), TestImages.png(Color.RED, 16));
        assertEquals(400, longQuestion.statusCode());
        HttpResponse<String> badBeam = post("/api/caption", Map.of("beam", "zero"), TestImages.png(Color.RED, 16));
        assertEquals(400, badBeam.statusCode());
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(uri("/api/nothing")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
    }

    @Test
    void fullQueueAnswers503InsteadOfPilingUp() throws Exception {
        engine.delayMillis = 400;
        start(new ServerLimits(1 << 20, 1_000_000, 10, 1));
        byte[] png = TestImages.png(Color.RED, 16);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<HttpResponse<String>>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            fs.add(pool.submit(() -> post("/api/caption", Map.of(), png)));
        }
        int ok = 0, busy = 0;
        for (var f : fs) {
            int s = f.get().statusCode();
            if (s == 200) {
                ok++;
            } else if (s == 503) {
                busy++;
            }
        }
        pool.shutdown();
        assertEquals(6, ok + busy);
        assertTrue(ok >= 2 && busy >= 1, "ok=" + ok + " busy=" + busy);
    }

    @Test
    void pageIsServedWithoutExternalResources() throws Exception {
        start(ServerLimits.defaults());
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("id=\"file\""));
        assertTrue(!page.body().contains("http://") && !page.body().contains("https://"), "no CDN links");
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> post(String path, Map<String, String> fields, byte[] image) throws IOException, InterruptedException {
        return Multipart.post(http, uri(path), fields, image);
    }
}

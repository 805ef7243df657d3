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
        return start(limits, BatchPolicy.defaults());
    }

    private GlimpseServer start(ServerLimits limits, BatchPolicy batching) {
        server = new GlimpseServer(engine.services(limits), limits, batching).start("127.0.0.1", 0);
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
        start(ServerLimits.defaults().with(200_000, 1_000_000, 10));
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
    void queueIsBoundedByExpectedWaitNotByCount() throws Exception {
        engine.delayMillis = 300;
        start(ServerLimits.defaults(), new BatchPolicy(1, 0, 700, 48_000_000L));
        byte[] png = TestImages.png(Color.RED, 16);
        assertEquals(200, post("/api/caption", Map.of(), png).statusCode()); // the worker measures its speed
        List<HttpResponse<String>> rs = concurrently(8, i -> post("/api/caption", Map.of(), png));
        int ok = 0, busy = 0;
        for (HttpResponse<String> r : rs) {
            if (r.statusCode() == 200) {
                ok++;
            } else if (r.statusCode() == 503) {
                busy++;
                assertTrue(r.headers().firstValue("Retry-After").isPresent(), r.headers().toString());
                assertTrue(Json.MAPPER.readTree(r.body()).get("error").asText().startsWith("busy"), r.body());
            }
        }
        assertEquals(8, ok + busy);
        // about 0.3 s per image and 0.7 s of expected wait allowed: three or so are queued, the rest refused at once
        assertTrue(ok >= 2 && ok <= 5 && busy >= 3, "ok=" + ok + " busy=" + busy);
    }

    @Test
    void concurrentRequestsAreBatchedAndEachGetsItsOwnAnswer() throws Exception {
        engine.delayMillis = 300;
        start(ServerLimits.defaults(), new BatchPolicy(16, 50, 20_000, 48_000_000L));
        Color[] colors = {Color.RED, Color.GREEN, Color.BLUE};
        String[] names = {"red", "green", "blue"};
        List<HttpResponse<String>> rs = concurrently(12, i -> post("/api/caption", Map.of(),
                TestImages.png(colors[i % 3], 16 + 8 * i)));
        for (int i = 0; i < rs.size(); i++) {
            assertEquals(200, rs.get(i).statusCode(), rs.get(i).body());
            assertEquals("a " + names[i % 3] + " picture", Json.MAPPER.readTree(rs.get(i).body()).get("caption").asText(),
                    "request " + i + " got another request's caption");
        }
        int largest = engine.batchSizes.stream().mapToInt(Integer::intValue).max().orElse(0);
        assertTrue(largest > 1, "batches " + engine.batchSizes);
        assertEquals(12, engine.batchSizes.stream().mapToInt(Integer::intValue).sum());
        JsonNode health = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(uri("/api/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(largest, health.get("largest_batch").asInt());
    }

    @Test
    void batchesStayWithinThePixelBudgetAndSettings() throws Exception {
        engine.delayMillis = 200;
        start(ServerLimits.defaults(), new BatchPolicy(16, 100, 20_000, 2 * 64 * 64));
        List<HttpResponse<String>> rs = concurrently(8, i -> post("/api/caption",
                Map.of("beam", i % 2 == 0 ? "1" : "3"), TestImages.png(Color.GREEN, 64)));
        rs.forEach(r -> assertEquals(200, r.statusCode(), r.body()));
        assertEquals(8, engine.batchSizes.stream().mapToInt(Integer::intValue).sum());
        assertTrue(engine.batchSizes.stream().allMatch(n -> n <= 2), "batches " + engine.batchSizes);
    }

    interface Call {
        HttpResponse<String> run(int i) throws Exception;
    }

    /** Starts n calls together and returns their responses in call order. */
    static List<HttpResponse<String>> concurrently(int n, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Future<HttpResponse<String>>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                fs.add(pool.submit(() -> {
                    go.await();
                    return call.run(k);
                }));
            }
            go.countDown();
            List<HttpResponse<String>> out = new ArrayList<>();
            for (var f : fs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdown();
        }
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

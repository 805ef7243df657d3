package dev.glimpse.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.Backend;
import dev.glimpse.common.io.Json;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hostile clients: malformed bodies, Jetty's own limits, slow clients by the hundred, uploads over the memory budget. */
class ServerAbuseTest {
    private static final int MAX_UPLOAD = 200_000;
    private final FakeEngine engine = new FakeEngine();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private GlimpseServer server;
    private final LogCapture log = new LogCapture();

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @AfterEach
    void stop() {
        log.close();
        if (server != null) {
            server.close();
        }
    }

    /** Small limits so that tests reach them quickly: 4 bodies received at once, 1 s for headers, 2 kB/s. */
    private static ServerLimits limits(long uploadBudget) {
        return new ServerLimits(MAX_UPLOAD, 1_000_000, 10, uploadBudget, 4, 24, 1000, 3_000, 1_000, 2_000);
    }

    private void start(ServerLimits limits) {
        server = new GlimpseServer(engine.services(limits), limits).start("127.0.0.1", 0);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** A refusal: the status, a one-line JSON error, and a log line with that message. */
    private void assertRefused(int status, String response, String what) throws IOException {
        assertEquals(status, RawHttp.status(response), what + ": " + response);
        String error = Json.MAPPER.readTree(RawHttp.body(response)).get("error").asText();
        assertFalse(error.isBlank() || error.contains("\n"), what + ": " + error);
        assertTrue(log.any(error) || log.lines(false).stream().anyMatch(l -> l.contains(String.valueOf(status))),
                what + ": no log line for \"" + error + "\" in " + log.lines(true));
    }

    private String exchange(String head, byte[] body) throws IOException {
        try (RawHttp c = new RawHttp(server.port())) {
            c.send(head);
            if (body != null) {
                c.send(body);
            }
            return c.readAll(10_000);
        }
    }

    private static String post(String path, String contentType, long length) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType + "\r\n"
                + (length >= 0 ? "Content-Length: " + length + "\r\n" : "Transfer-Encoding: chunked\r\n") + "\r\n";
    }

    static byte[] multipart(String boundary, Map<String, String> fields, byte[] image) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (var e : fields.entrySet()) {
            b.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + e.getKey() + "\"\r\n\r\n"
                    + e.getValue() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        if (image != null) {
            b.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n"
                    + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            b.write(image);
            b.write("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        b.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }

    @Test
    void malformedBodiesAndJettyLimitsGet4xxJsonAndALogLine() throws Exception {
        start(limits(ServerLimits.minimumUploadBudget(MAX_UPLOAD) * 4));
        String mp = "multipart/form-data; boundary=XyZ";
        byte[] png = TestImages.png(Color.RED, 16);

        byte[] longQuestion = multipart("XyZ", Map.of("question", "why ".repeat(50_000)), png);
        assertRefused(413, exchange(post("/api/ask", mp, longQuestion.length), longQuestion), "200 kB question");

        ByteArrayOutputStream many = new ByteArrayOutputStream();
        for (int i = 0; i < 1001; i++) {
            many.write(("--XyZ\r\nContent-Disposition: form-data; name=\"f" + i + "\"\r\n\r\nx\r\n").getBytes(StandardCharsets.UTF_8));
        }
        many.write(multipart("XyZ", Map.of(), png));
        assertRefused(413, exchange(post("/api/caption", mp, many.size()), many.toByteArray()), "1001 parts");

        byte[] garbled = "this is not a multipart body\r\n--nope\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        assertRefused(400, exchange(post("/api/caption", mp, garbled.length), garbled), "garbled multipart");

        byte[] cut = java.util.Arrays.copyOf(multipart("XyZ", Map.of(), png), 120);
        assertRefused(400, exchange(post("/api/caption", mp, cut.length), cut), "multipart without its end");

        // declared too large: refused before the body is sent
        assertRefused(413, exchange(post("/api/caption", mp, 5_000_000), null), "declared 5 MB upload");

        // chunked, so no length to refuse it by: the parser's limit stops it
        byte[] big = multipart("XyZ", Map.of(), new byte[MAX_UPLOAD + 70_000]);
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        for (int off = 0; off < big.length; off += 32_768) {
            int n = Math.min(32_768, big.length - off);
            chunked.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            chunked.write(big, off, n);
            chunked.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        chunked.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertRefused(413, exchange(post("/api/caption", mp, -1), chunked.toByteArray()), "chunked oversized upload");

        byte[] form = "question=what".getBytes(StandardCharsets.UTF_8);
        assertRefused(415, exchange(post("/api/ask", "application/x-www-form-urlencoded", form.length), form), "not multipart");

        String hugeHeader = "GET /api/health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(40_000) + "\r\n\r\n";
        assertRefused(431, exchange(hugeHeader, null), "40 kB header");

        String response = exchange("BREW /api/health HTCPCP/1.0 what\r\n\r\n", null);
        assertTrue(RawHttp.status(response) >= 400 && RawHttp.status(response) < 500, response);
        assertTrue(Json.MAPPER.readTree(RawHttp.body(response)).has("error"), response);

        // and the server still works
        HttpResponse<String> ok = Multipart.post(http, uri("/api/caption"), Map.of(), png);
        assertEquals(200, ok.statusCode(), ok.body());
    }

    @Test
    void hundredsOfSlowClientsDoNotStarveHealth() throws Exception {
        start(limits(ServerLimits.minimumUploadBudget(MAX_UPLOAD) * 8));
        byte[] png = TestImages.png(Color.BLUE, 32);
        List<RawHttp> slowHeaders = new ArrayList<>();
        List<RawHttp> slowBodies = new ArrayList<>();
        List<String> bodyAnswers = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                RawHttp c = new RawHttp(server.port());
                c.send("GET /api/health HTTP/1.1\r\nHost: x\r\n");
                slowHeaders.add(c);
            }
            byte[] body = multipart("XyZ", Map.of(), png);
            for (int i = 0; i < 40; i++) {
                RawHttp c = new RawHttp(server.port());
                c.send(post("/api/caption", "multipart/form-data; boundary=XyZ", body.length));
                c.send(java.util.Arrays.copyOf(body, 10));
                slowBodies.add(c);
            }
            // one byte per client every 300 ms for 4 s, while /api/health is asked every 200 ms
            long end = System.nanoTime() + 4_000_000_000L;
            long worstHealthMillis = 0;
            int healthChecks = 0;
            long nextTrickle = 0;
            while (System.nanoTime() < end) {
                if (System.nanoTime() > nextTrickle) {
                    for (RawHttp c : slowHeaders) {
                        c.trickle(new byte[] {'X'}, 0, Long.MAX_VALUE);
                    }
                    for (RawHttp c : slowBodies) {
                        c.trickle(new byte[] {'-'}, 0, Long.MAX_VALUE);
                    }
                    nextTrickle = System.nanoTime() + 300_000_000L;
                }
                long t0 = System.nanoTime();
                HttpResponse<String> h = http.send(HttpRequest.newBuilder(uri("/api/health")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                long millis = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(200, h.statusCode());
                worstHealthMillis = Math.max(worstHealthMillis, millis);
                healthChecks++;
                Thread.sleep(200);
            }
            assertTrue(worstHealthMillis < 1000, "slowest /api/health: " + worstHealthMillis + " ms");
            assertTrue(healthChecks >= 10, "health checks: " + healthChecks);
            // trickling headers for 4 s > the 1 s header deadline: every such connection was closed
            int open = 0;
            for (RawHttp c : slowHeaders) {
                if (!c.closedByServer()) {
                    open++;
                }
            }
            assertEquals(0, open, "slow-header connections still open");
            // slow bodies: 4 were received (and cut off by the minimum data rate), the others refused at once
            int busy = 0, slow = 0;
            for (RawHttp c : slowBodies) {
                String r = c.readAll(3_000);
                bodyAnswers.add(r);
                int s = RawHttp.status(r);
                if (s == 503) {
                    busy++;
                } else if (s == 408 || s == 400 || s == -1) {
                    slow++;
                }
            }
            assertEquals(40, busy + slow, "answers: " + bodyAnswers);
            assertTrue(busy >= 30, "refused at once: " + busy);
            assertTrue(log.any("no complete request header"), "header deadline logged");
        } finally {
            for (RawHttp c : slowHeaders) {
                c.close();
            }
            for (RawHttp c : slowBodies) {
                c.close();
            }
        }
        // and a normal request still succeeds
        HttpResponse<String> ok = Multipart.post(http, uri("/api/caption"), Map.of(), png);
        assertEquals(200, ok.statusCode(), ok.body());
    }

    @Test
    void uploadsBeyondTheMemoryBudgetAreRefusedBeforeTheirBodyIsRead() throws Exception {
        start(limits(ServerLimits.minimumUploadBudget(MAX_UPLOAD)));
        byte[] body = multipart("XyZ", Map.of(), TestImages.png(Color.GREEN, 32));
        String head = post("/api/caption", "multipart/form-data; boundary=XyZ", 150_000);
        try (RawHttp first = new RawHttp(server.port())) {
            first.send(head);
            first.send(java.util.Arrays.copyOf(body, 100));
            Thread.sleep(300);
            JsonNode health = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(uri("/api/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertEquals(UploadBudget.cost(150_000), health.get("upload_bytes_held").asLong());
            // a second body of the same size does not fit: 503 before it is sent
            assertRefused(503, exchange(head, null), "second upload over the budget");
        }
        Thread.sleep(300);
        JsonNode health = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(uri("/api/health")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(0, health.get("upload_bytes_held").asLong(), "the budget is returned when a client goes away");
        HttpResponse<String> ok = Multipart.post(http, uri("/api/caption"), Map.of(), TestImages.png(Color.GREEN, 32));
        assertEquals(200, ok.statusCode(), ok.body());
    }
}

package dev.glimpse.app.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.app.Main;
import dev.glimpse.app.service.LocalCaptionService;
import dev.glimpse.app.service.LocalVqaService;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.imageside.EncoderAccess;
import dev.glimpse.common.Backend;
import dev.glimpse.common.io.Json;
import dev.glimpse.datasets.scenes.SceneGenerator;
import dev.glimpse.datasets.scenes.SceneSummary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The server over REAL models trained here on tiny synthetic scenes: the page in headless Chromium
 * (upload, caption, hover, ask) and a bounded load test on loopback.
 */
class RealModelsServerTest {
    @TempDir
    static Path dir;
    static SceneSummary scenes;
    static GlimpseServer server;

    static Path cap;
    static Path vqa;

    static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, String.join(" ", args) + "\n" + err);
        return out.toString();
    }

    @BeforeAll
    static void trainAndServe() {
        Backend.init();
        scenes = SceneGenerator.generate(dir.resolve("scenes"), 32, 8, 5, 64);
        cap = dir.resolve("captioner.zip");
        vqa = dir.resolve("vqa.zip");
        cli("train", "captioner", "--captions", scenes.train().captions().toString(),
                "--images", scenes.train().imageDir().toString(), "--val-captions", scenes.val().captions().toString(),
                "--val-images", scenes.val().imageDir().toString(), "--encoder", "squeezenet", "--random-init-encoder",
                "--encoder-size", "64", "--epochs", "2", "--batch", "16", "--lr", "0.01", "--dropout", "0",
                "--embed", "16", "--hidden", "32", "--attention-dim", "16", "--min-word-count", "1",
                "--checkpoint-every", "0", "--quiet", "--out", cap.toString());
        cli("train", "vqa", "--questions", scenes.train().questions().toString(),
                "--annotations", scenes.train().annotations().toString(), "--images", scenes.train().imageDir().toString(),
                "--encoder", "squeezenet", "--random-init-encoder", "--epochs", "3", "--batch", "32", "--lr", "0.01",
                "--embed", "16", "--hidden", "32", "--layers", "1", "--fused", "64", "--dropout", "0",
                "--quiet", "--out", vqa.toString());
        ServerLimits limits = ServerLimits.defaults().with(5 << 20, 4_000_000, 30);
        ImageLoader loader = new ImageLoader(limits.imageLimits());
        server = new GlimpseServer(new Services(LocalCaptionService.open(cap, EncoderAccess.NONE, loader),
                LocalVqaService.open(vqa, EncoderAccess.NONE, loader)), limits).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Path sceneImage() throws Exception {
        try (var s = Files.list(scenes.val().imageDir())) {
            return s.filter(p -> p.toString().endsWith(".png")).sorted().findFirst().orElseThrow();
        }
    }

    @Test
    void pageCaptionsHoversAndAnswersWithRealModels() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(BrowserTest.CHROMIUM) && Files.isExecutable(BrowserTest.DRIVER),
                "Chromium not installed (.ci/run installs it)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BrowserTest.CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1200,900", "--user-data-dir=" + dir.resolve("profile"));
        ChromeDriver driver = new ChromeDriver(
                new ChromeDriverService.Builder().usingDriverExecutable(BrowserTest.DRIVER.toFile()).build(), options);
        try {
            driver.get("http://127.0.0.1:" + server.port() + "/");
            driver.findElement(By.id("file")).sendKeys(sceneImage().toString());
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
            wait.until(d -> !d.findElements(By.cssSelector("#caption .word")).isEmpty());
            List<WebElement> words = driver.findElements(By.cssSelector("#caption .word"));
            WebElement word = words.get(words.size() - 1);
            String text = word.getText();
            assertFalse(text.isBlank());
            new Actions(driver).moveToElement(word).perform();
            wait.until(d -> text.equals(d.findElement(By.id("overlay")).getAttribute("data-word")));
            Object painted = ((JavascriptExecutor) driver).executeScript(
                    "const c = document.getElementById('overlay'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                            + "let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n;");
            assertTrue(((Number) painted).longValue() > 0, "attention overlay painted");

            driver.findElement(By.id("question")).sendKeys("what color is the circle?");
            driver.findElement(By.id("ask-button")).click();
            wait.until(d -> !d.findElements(By.cssSelector("#answers .answer")).isEmpty());
            List<WebElement> answers = driver.findElements(By.cssSelector("#answers .answer"));
            assertEquals(3, answers.size());
            assertTrue(answers.get(0).getText().matches("(?s).*\\d+\\.\\d%.*"), answers.get(0).getText());
            Path shots = Paths.get("target", "screenshots");
            Files.createDirectories(shots);
            Files.write(shots.resolve("glimpse-real-models.png"), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
        } finally {
            driver.quit();
        }
    }

    /** The command line and the server are two faces of the same services: same options, same JSON. */
    @Test
    void cliJsonAndServerJsonGiveTheSameCaptionsAndAnswers() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Path img = sceneImage();
        byte[] png = Files.readAllBytes(img);
        for (String beam : List.of("1", "3")) {
            JsonNode fromCli = Json.MAPPER.readTree(cli("caption", img.toString(), "--model", cap.toString(), "--json",
                    "--beam", beam, "--max-length", "12")).get("captions").get(0);
            HttpResponse<String> r = post(http, "/api/caption", Map.of("beam", beam, "max_length", "12"), png);
            assertEquals(200, r.statusCode(), r.body());
            JsonNode fromServer = Json.MAPPER.readTree(r.body());
            for (String field : List.of("caption", "score", "ended", "alternatives", "attention")) {
                assertEquals(fromCli.get(field), fromServer.get(field), "beam " + beam + ": " + field);
            }
            assertTrue(fromCli.get("caption").asText().split(" ").length <= 12);
            assertEquals(beam.equals("1"), fromCli.get("alternatives").isEmpty(), "beam " + beam + " alternatives");
        }
        String question = "how many circles are there?";
        JsonNode cliAnswers = Json.MAPPER.readTree(cli("ask", img.toString(), question, "--model", vqa.toString(),
                "--json", "--top", "4")).get("answers");
        HttpResponse<String> a = post(http, "/api/ask", Map.of("question", question, "top", "4"), png);
        assertEquals(200, a.statusCode(), a.body());
        JsonNode serverAnswers = Json.MAPPER.readTree(a.body()).get("answers");
        assertEquals(4, cliAnswers.size());
        assertEquals(cliAnswers, serverAnswers);
        // the same limits on both faces
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(new String[] {"caption", img.toString(), "--model", cap.toString(), "--beam", "21"},
                new PrintWriter(new StringWriter(), true), new PrintWriter(err, true)));
        HttpResponse<String> tooWide = post(http, "/api/caption", Map.of("beam", "21"), png);
        assertEquals(400, tooWide.statusCode());
        assertEquals("glimpse: " + Json.MAPPER.readTree(tooWide.body()).get("error").asText(), err.toString().trim());
    }

    /** Batching is invisible in the answers: requests decoded together get what each gets alone. */
    @Test
    void concurrentRequestsGetTheSameCaptionsAsOneAtATime() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<byte[]> images = new ArrayList<>();
        try (var s = Files.list(scenes.val().imageDir())) {
            for (Path p : s.filter(p -> p.toString().endsWith(".png")).sorted().limit(12).toList()) {
                images.add(Files.readAllBytes(p));
            }
        }
        long batchesBefore = health(http).get("batches").asLong();
        for (String beam : List.of("1", "3")) {
            List<JsonNode> alone = new ArrayList<>();
            for (byte[] png : images) {
                HttpResponse<String> r = post(http, "/api/caption", Map.of("beam", beam), png);
                assertEquals(200, r.statusCode(), r.body());
                alone.add(Json.MAPPER.readTree(r.body()));
            }
            List<HttpResponse<String>> together = GlimpseServerTest.concurrently(images.size(),
                    i -> post(http, "/api/caption", Map.of("beam", beam), images.get(i)));
            for (int i = 0; i < images.size(); i++) {
                assertEquals(200, together.get(i).statusCode(), together.get(i).body());
                JsonNode t = Json.MAPPER.readTree(together.get(i).body());
                assertEquals(alone.get(i).get("caption"), t.get("caption"), "beam " + beam + ", image " + i);
                assertEquals(alone.get(i).get("ended"), t.get("ended"), "beam " + beam + ", image " + i);
                assertEquals(alone.get(i).get("score").asDouble(), t.get("score").asDouble(), 1e-4,
                        "beam " + beam + ", image " + i);
                for (int a = 0; a < alone.get(i).get("alternatives").size(); a++) {
                    assertEquals(alone.get(i).get("alternatives").get(a).get("caption"),
                            t.get("alternatives").get(a).get("caption"), "beam " + beam + ", image " + i + ", alternative " + a);
                }
            }
        }
        JsonNode h = health(http);
        // 48 requests in fewer batches: the concurrent ones were decoded together
        assertTrue(h.get("batches").asLong() - batchesBefore < 4L * images.size(),
                "batches: " + (h.get("batches").asLong() - batchesBefore));
        assertTrue(h.get("largest_batch").asInt() > 1, h.toString());
    }

    static JsonNode health(HttpClient http) throws Exception {
        return Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/health")).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    @Test
    void boundedLoadHasNoFailedRequestAndBoundedHeap() throws Exception {
        byte[] png = Files.readAllBytes(sceneImage());
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int clients = 4;
        long seconds = 8;
        // warm-up, then measure heap after GC before and after the load
        assertEquals(200, post(http, "/api/caption", Map.of(), png).statusCode());
        long heapBefore = usedHeapAfterGc();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<Future<?>> fs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            final int client = c;
            fs.add(pool.submit(() -> {
                int i = 0;
                while (System.nanoTime() < end && i < 10_000) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = (client + i++) % 2 == 0
                                ? post(http, "/api/caption", Map.of("beam", "3"), png)
                                : post(http, "/api/ask", Map.of("question", "how many circles are there?"), png);
                        if (r.statusCode() != 200) {
                            failed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    latencies.add(System.nanoTime() - t0);
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        long heapAfter = usedHeapAfterGc();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double p95 = sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(0.95 * sorted.size()) - 1)) / 1e6;
        System.out.printf("LOAD: %d requests in %d s = %.1f req/s, p95 %.1f ms, failed %d, heap %d -> %d MB%n",
                sorted.size(), seconds, sorted.size() / (double) seconds, p95, failed.get(), heapBefore >> 20, heapAfter >> 20);
        assertEquals(0, failed.get(), "failed requests");
        assertTrue(sorted.size() >= clients, "requests completed: " + sorted.size());
        assertTrue(heapAfter - heapBefore < 200L << 20, "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MB");
        JsonNode health = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/api/health")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(0, health.get("rejected").asInt());
    }

    static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static HttpResponse<String> post(HttpClient http, String path, Map<String, String> fields, byte[] image) throws Exception {
        return Multipart.post(http, URI.create("http://127.0.0.1:" + server.port() + path), fields, image);
    }
}

package dev.glimpse.app.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Closed-loop clients on POST /api/caption: each sends its next request when the last is answered. */
final class LoadClient {
    private final URI caption;
    private final int timeoutSeconds;
    private final HttpClient http;

    LoadClient(URI base, int timeoutSeconds) {
        this.caption = base.resolve("/api/caption");
        this.timeoutSeconds = timeoutSeconds;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Latencies of answered requests (ms), how many were refused or failed, and the wall time. */
    record Level(List<Double> millis, int refused, int total, double seconds) {
        double capsPerSecond() {
            return millis.size() / seconds;
        }

        double refusedFraction() {
            return refused / (double) total;
        }

        /** The q-th percentile of answered latencies (nearest rank), NaN if none was answered. */
        double p(double q) {
            if (millis.isEmpty()) {
                return Double.NaN;
            }
            List<Double> s = new ArrayList<>(millis);
            Collections.sort(s);
            int rank = (int) Math.ceil(q / 100.0 * s.size());
            return s.get(Math.max(0, Math.min(s.size() - 1, rank - 1)));
        }
    }

    /** Waits up to a minute for the server to answer /api/health, then sends a few captions. */
    void warmUp(List<byte[]> images, int beam) throws Exception {
        long end = System.nanoTime() + 60_000_000_000L;
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(caption.resolve("/api/health")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (IOException e) {
                if (System.nanoTime() > end) {
                    throw new IOException(caption.resolve("/api/health") + ": no answer within a minute (" + e + ")", e);
                }
            }
            Thread.sleep(500);
        }
        for (int i = 0; i < Math.min(3, images.size()); i++) {
            send(images.get(i), beam);
        }
    }

    Level run(int clients, int requests, List<byte[]> images, int beam) throws Exception {
        List<Double> millis = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger next = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long t0 = System.nanoTime();
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                fs.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < requests; ) {
                        long s = System.nanoTime();
                        int status;
                        try {
                            status = send(images.get(i % images.size()), beam);
                        } catch (IOException e) {
                            status = -1;
                        }
                        if (status == 200) {
                            millis.add((System.nanoTime() - s) / 1e6);
                        } else {
                            refused.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        return new Level(millis, refused.get(), requests, (System.nanoTime() - t0) / 1e9);
    }

    int send(byte[] image, int beam) throws IOException, InterruptedException {
        String boundary = "bench" + System.nanoTime();
        byte[] body = multipart(boundary, "beam", Integer.toString(beam), image);
        HttpRequest req = HttpRequest.newBuilder(caption).timeout(Duration.ofSeconds(timeoutSeconds))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static byte[] multipart(String boundary, String field, String value, byte[] image) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"\r\n\r\n" + value + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        b.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"image\"; filename=\"bench.png\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        b.writeBytes(image);
        b.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return b.toByteArray();
    }
}

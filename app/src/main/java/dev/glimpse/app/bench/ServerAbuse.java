package dev.glimpse.app.bench;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;

/** The two abuse measurements of issue 14: memory under parallel large uploads, /api/health under slow clients. */
final class ServerAbuse {
    private ServerAbuse() {}

    /** Resident memory of a process in kB from /proc (-1 where unavailable). */
    static long rssKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /**
     * A 6000x6000 JPEG of gradients and shapes under pixel noise, as a camera photo has: ~10 MB
     * (within the default 20 MB upload limit), 36 million pixels once decoded.
     */
    static byte[] largeJpeg() throws IOException {
        BufferedImage img = new BufferedImage(6000, 6000, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(30, 90, 200), 6000, 6000, new Color(240, 200, 60)));
        g.fillRect(0, 0, 6000, 6000);
        g.setColor(Color.RED);
        g.fillOval(1000, 1000, 2500, 2500);
        g.setColor(Color.GREEN);
        g.fillRect(3500, 3000, 2000, 1500);
        g.dispose();
        java.util.SplittableRandom random = new java.util.SplittableRandom(6000);
        int[] row = new int[6000];
        for (int y = 0; y < 6000; y++) {
            img.getRGB(0, y, 6000, 1, row, 0, 6000);
            for (int x = 0; x < 6000; x++) {
                int n = random.nextInt(48) - 24;
                int p = row[x];
                row[x] = clamp(((p >> 16) & 255) + n) << 16 | clamp(((p >> 8) & 255) + n) << 8 | clamp((p & 255) + n);
            }
            img.setRGB(0, y, 6000, 1, row, 0, 6000);
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", b);
        return b.toByteArray();
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }

    static void largeUploads(PrintWriter out, URI base, long pid, int n, int timeoutSeconds) throws Exception {
        byte[] jpeg = largeJpeg();
        System.gc();
        long before = rssKb(pid, "VmRSS");
        AtomicLong peak = new AtomicLong(before);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            while (running.get()) {
                peak.accumulateAndGet(rssKb(pid, "VmRSS"), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.start();
        LoadClient client = new LoadClient(base, timeoutSeconds);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        Map<Integer, Integer> statuses = new TreeMap<>();
        long t0 = System.nanoTime();
        try {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> {
                    try {
                        return client.send(jpeg, 1);
                    } catch (IOException e) {
                        return -1;
                    }
                }));
            }
            for (Future<Integer> f : fs) {
                statuses.merge(f.get(), 1, Integer::sum);
            }
        } finally {
            pool.shutdown();
            running.set(false);
            sampler.join();
        }
        out.printf("%d parallel uploads of a 6000x6000 JPEG (%.1f MB) in %.1f s: statuses %s (-1 = connection error or timeout); "
                        + "server resident memory %d MB before, peak %d MB%s%n",
                n, jpeg.length / 1e6, (System.nanoTime() - t0) / 1e9, statuses, before >> 10, peak.get() >> 10,
                pid == ProcessHandle.current().pid() ? " (in-process: includes this client's 36-Mpixel image)" : "");
    }

    /**
     * N clients that send a request header and then trickle a multipart body one byte a second,
     * while /api/health is asked every 200 ms; prints its latency and how the slow clients ended.
     */
    static void slowClients(PrintWriter out, URI base, int n, int seconds) throws Exception {
        List<Socket> sockets = new ArrayList<>();
        int connectFailures = 0;
        String head = "POST /api/caption HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=slow\r\n"
                + "Content-Length: 200000\r\n\r\n--slow\r\n";
        for (int i = 0; i < n; i++) {
            try {
                Socket s = new Socket();
                s.connect(new java.net.InetSocketAddress(base.getHost(), base.getPort()), 2000);
                s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            } catch (IOException e) {
                connectFailures++;
            }
        }
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong closed = new AtomicLong();
        Thread trickler = new Thread(() -> {
            boolean[] dead = new boolean[sockets.size()];
            while (running.get()) {
                for (int i = 0; i < sockets.size(); i++) {
                    if (dead[i]) {
                        continue;
                    }
                    try {
                        OutputStream o = sockets.get(i).getOutputStream();
                        o.write('x');
                        o.flush();
                    } catch (IOException e) {
                        dead[i] = true;
                        closed.incrementAndGet();
                    }
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        trickler.start();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        List<Double> millis = new ArrayList<>();
        int failed = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.resolve("/api/health"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() != 200) {
                    failed++;
                }
            } catch (IOException e) {
                failed++;
            }
            millis.add((System.nanoTime() - t0) / 1e6);
            Thread.sleep(200);
        }
        running.set(false);
        trickler.interrupt();
        trickler.join();
        for (Socket s : sockets) {
            s.close();
        }
        Collections.sort(millis);
        long over = millis.stream().filter(m -> m > 1000).count();
        out.printf("%d slow clients (%d could not connect) for %d s: /api/health p50 %.0f ms, p95 %.0f ms, max %.0f ms, "
                        + "%d of %d over 1 s, %d failed; %d slow connections closed by the server meanwhile%n",
                n, connectFailures, seconds, pct(millis, 50), pct(millis, 95), millis.get(millis.size() - 1), over,
                millis.size(), failed, closed.get());
    }

    private static double pct(List<Double> sorted, double q) {
        int rank = (int) Math.ceil(q / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}

package dev.glimpse.app.bench;

import dev.glimpse.app.serve.BatchPolicy;
import dev.glimpse.app.serve.GlimpseServer;
import dev.glimpse.app.serve.ServerLimits;
import dev.glimpse.app.serve.Services;
import dev.glimpse.app.service.LocalCaptionService;
import dev.glimpse.app.service.ModelFiles;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.imageside.EncoderAccess;
import dev.glimpse.datasets.scenes.SceneGenerator;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code glimpse bench serve}: load on the caption endpoint at several client counts (captions/s,
 * latency percentiles, refused fraction), and optionally the server's memory under parallel large
 * uploads and /api/health under hundreds of slow clients. Against a server it starts in-process
 * over the quick-start captioner, or any running server ({@code --url}, e.g. an older build, with
 * {@code --server-pid} to read its memory).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Load benchmark of glimpse serve: captions/s, p50/p95/p99 and refused fraction per client count.")
public final class ServeBenchCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", description = "A running server to load (default: start one in-process).")
    URI url;

    @Option(names = "--server-pid", description = "With --url: the server's process id, to report its resident memory.")
    Long serverPid;

    @Option(names = "--caption-model", paramLabel = "FILE", description = "In-process server's model (default: the installed quick-start captioner).")
    Path captionModel;

    @Option(names = "--batch-size", defaultValue = "16", description = "In-process server's batch size (1 = one request at a time; default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--batch-delay-ms", defaultValue = "5", description = "In-process server's batch delay (default: ${DEFAULT-VALUE}).")
    int batchDelayMs;

    @Option(names = "--clients", split = ",", defaultValue = "1,4,16,40", description = "Concurrent clients per level (default: ${DEFAULT-VALUE}).")
    List<Integer> clients;

    @Option(names = "--requests", defaultValue = "200", description = "Captions asked per level, shared by its clients (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--beam", defaultValue = "3", description = "Beam width asked for (default: ${DEFAULT-VALUE}).")
    int beam;

    @Option(names = "--timeout", defaultValue = "30", description = "Client timeout per request in seconds (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--images", paramLabel = "DIR", description = "PNG/JPEG files to send (default: synthetic scenes).")
    Path images;

    @Option(names = "--large-uploads", defaultValue = "0", paramLabel = "N",
            description = "Also send N parallel 6000x6000 JPEG uploads and report the server's peak resident memory.")
    int largeUploads;

    @Option(names = "--slow-clients", defaultValue = "0", paramLabel = "N",
            description = "Also hold N slow clients (trickled headers and bodies) and report /api/health latency.")
    int slowClients;

    @Option(names = "--slow-seconds", defaultValue = "20", description = "How long the slow clients run (default: ${DEFAULT-VALUE}).")
    int slowSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (requests < 1 || beam < 1 || timeoutSeconds < 1 || clients.stream().anyMatch(c -> c < 1 || c > 1000)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--requests, --beam, --timeout positive; --clients 1..1000");
        }
        List<byte[]> bodies = images();
        GlimpseServer server = null;
        URI base = url;
        long pid = serverPid == null ? -1 : serverPid;
        try {
            if (base == null) {
                Path model = ModelFiles.require(captionModel, ModelFiles.captioner(), "glimpse quickstart");
                ServerLimits limits = ServerLimits.defaults();
                BatchPolicy batching = new BatchPolicy(batchSize, batchDelayMs, BatchPolicy.defaults().maxWaitMillis(),
                        BatchPolicy.defaults().batchPixels());
                server = new GlimpseServer(new Services(LocalCaptionService.open(model, EncoderAccess.NONE,
                        new ImageLoader(limits.imageLimits())), null), limits, batching).start("127.0.0.1", 0);
                server.warmUp();
                base = URI.create("http://127.0.0.1:" + server.port());
                pid = ProcessHandle.current().pid();
                out.printf("in-process server over %s: batch size %d, batch delay %d ms%n", model, batchSize, batchDelayMs);
            }
            out.printf("glimpse bench serve: %s, %d images, beam %d, %d captions per level, client timeout %d s, %d cores%n",
                    base, bodies.size(), beam, requests, timeoutSeconds, Runtime.getRuntime().availableProcessors());
            out.flush();
            LoadClient load = new LoadClient(base, timeoutSeconds);
            load.warmUp(bodies, beam);
            out.printf("%8s %10s %9s %9s %9s %9s %8s%n", "clients", "captions/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "refused");
            for (int c : clients) {
                LoadClient.Level r = load.run(c, requests, bodies, beam);
                out.printf("%8d %10.2f %9.0f %9.0f %9.0f %9.0f %7.1f%%%n", c, r.capsPerSecond(), r.p(50), r.p(95), r.p(99),
                        r.p(100), 100.0 * r.refusedFraction());
                out.flush();
            }
            if (largeUploads > 0) {
                ServerAbuse.largeUploads(out, base, pid, largeUploads, timeoutSeconds);
            }
            if (slowClients > 0) {
                ServerAbuse.slowClients(out, base, slowClients, slowSeconds);
            }
        } finally {
            if (server != null) {
                server.close();
            }
        }
        return 0;
    }

    private List<byte[]> images() throws Exception {
        Path dir = images;
        if (dir == null) {
            dir = Files.createTempDirectory("glimpse-bench-serve");
            dir = SceneGenerator.generate(dir, 1, 32, 7).val().imageDir();
        }
        List<byte[]> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.toString().matches("(?i).*\\.(png|jpe?g)$")).sorted().limit(64).toList()) {
                out.add(Files.readAllBytes(p));
            }
        }
        if (out.isEmpty()) {
            throw new GlimpseException(dir + ": no PNG or JPEG images");
        }
        return out;
    }
}

package dev.glimpse.app;

import dev.glimpse.app.serve.BatchPolicy;
import dev.glimpse.app.serve.GlimpseServer;
import dev.glimpse.app.serve.ServerLimits;
import dev.glimpse.app.serve.Services;
import dev.glimpse.app.service.LocalCaptionService;
import dev.glimpse.app.service.LocalVqaService;
import dev.glimpse.app.service.ModelFiles;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.ImageLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code glimpse serve}: the JSON API and the web page over the installed (or given) models. */
@Command(name = "serve", mixinStandardHelpOptions = true, header = "Serve the web page and the JSON API.",
        description = {"POST /api/caption (multipart image[, beam]) -> caption, alternatives, per-word attention;",
                "POST /api/ask (multipart image, question[, top]) -> answers with probabilities;",
                "GET /api/health, GET /api/models. Binds to 127.0.0.1 unless --host says otherwise."})
final class ServeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0 = any free port).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--caption-model", paramLabel = "FILE", description = "Captioning model (default: ~/.glimpse/models/captioner.zip if present).")
    Path captionModel;

    @Option(names = "--vqa-model", paramLabel = "FILE", description = "VQA model (default: ~/.glimpse/models/vqa.zip if present).")
    Path vqaModel;

    @Option(names = "--max-upload-mb", defaultValue = "20", description = "Largest upload in MB (default: ${DEFAULT-VALUE}).")
    int maxUploadMb;

    @Option(names = "--max-pixels", defaultValue = "40000000", description = "Largest image in pixels (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--timeout", defaultValue = "30", description = "Seconds per request before 503 (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--max-wait", defaultValue = "20", paramLabel = "SECONDS",
            description = "Refuse (503) a request whose expected wait for the model is longer (default: ${DEFAULT-VALUE}).")
    int maxWaitSeconds;

    @Option(names = "--batch-size", defaultValue = "16", description = "Images captioned together at most (default: ${DEFAULT-VALUE}; 1 = one at a time).")
    int batchSize;

    @Option(names = "--batch-delay-ms", defaultValue = "5", description = "How long a request waits for others to join its batch (default: ${DEFAULT-VALUE}).")
    int batchDelayMs;

    @Option(names = "--upload-budget-mb", defaultValue = "512", description = "Memory for request bodies held at once, in MB (default: ${DEFAULT-VALUE}).")
    int uploadBudgetMb;

    @Option(names = "--max-connections", defaultValue = "1024", description = "Open connections at most (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--bf16", description = {"Greedy captions (--beam 1) of a single image stream the decoder's weights as",
            "bfloat16 where the CPU has AVX512_BF16: ~1.3x faster; a word may change where two are within",
            "bfloat16's rounding (3 of 300 validation captions in the README's check). Off by default."})
    boolean bf16;

    @Mixin
    EncoderAccessOptions encoderAccess;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path cap = ModelFiles.optional(captionModel, ModelFiles.captioner());
        Path vqa = ModelFiles.optional(vqaModel, ModelFiles.vqa());
        if (cap == null && vqa == null) {
            throw new GlimpseException("no models: run 'glimpse quickstart' to train and install the default models, "
                    + "or pass --caption-model FILE / --vqa-model FILE");
        }
        if (maxUploadMb < 1 || timeoutSeconds < 1 || maxPixels < 1 || maxWaitSeconds < 1 || maxConnections < 1) {
            throw new GlimpseException("--max-upload-mb, --timeout, --max-pixels, --max-wait and --max-connections must be positive");
        }
        if (batchSize < 1 || batchSize > 256 || batchDelayMs < 0 || batchDelayMs > 10_000) {
            throw new GlimpseException("--batch-size must be 1..256 and --batch-delay-ms 0..10000");
        }
        ServerLimits base = ServerLimits.defaults();
        ServerLimits limits = base.with((long) maxUploadMb << 20, maxPixels, timeoutSeconds)
                .withConnections(maxConnections, base.idleTimeoutMillis(), base.headerTimeoutMillis(), base.minBytesPerSecond());
        long budget = (long) uploadBudgetMb << 20;
        if (budget < ServerLimits.minimumUploadBudget(limits.maxUploadBytes())) {
            throw new GlimpseException("--upload-budget-mb: must hold one upload of --max-upload-mb (at least "
                    + ((ServerLimits.minimumUploadBudget(limits.maxUploadBytes()) >> 20) + 1) + " MB)");
        }
        limits = limits.withUploadBudget(budget, limits.uploadsInProgress());
        BatchPolicy batching = new BatchPolicy(batchSize, batchDelayMs, maxWaitSeconds * 1000,
                Math.max(maxPixels, BatchPolicy.defaults().batchPixels()));
        ImageLoader loader = new ImageLoader(limits.imageLimits());
        LocalCaptionService captioner = cap == null ? null : LocalCaptionService.open(cap, encoderAccess.access(), loader);
        if (bf16 && captioner != null && !captioner.decodeInBf16(true)) {
            spec.commandLine().getErr().println("glimpse: --bf16: this CPU has no AVX512_BF16; decoding in float");
        }
        LocalVqaService answering;
        try {
            answering = vqa == null ? null : LocalVqaService.open(vqa, encoderAccess.access(), loader);
        } catch (RuntimeException e) {
            if (captioner != null) {
                captioner.close();
            }
            throw e;
        }
        try (GlimpseServer server = new GlimpseServer(new Services(captioner, answering), limits, batching).start(host, port)) {
            server.warmUp();
            out.printf("Glimpse serving on http://%s:%d/ (captioner: %s, VQA: %s); Ctrl-C to stop%n", host,
                    server.port(), cap == null ? "none" : cap, vqa == null ? "none" : vqa);
            out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return ExitCodes.OK;
    }
}

package dev.glimpse.app;

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

    @Option(names = "--queue", defaultValue = "8", description = "Requests that may wait for the model before 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Mixin
    EncoderAccessOptions encoderAccess;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path cap = ModelFiles.optional(captionModel, ModelFiles.CAPTIONER);
        Path vqa = ModelFiles.optional(vqaModel, ModelFiles.VQA);
        if (cap == null && vqa == null) {
            throw new GlimpseException("no models: run 'glimpse quickstart' to train and install the default models, "
                    + "or pass --caption-model FILE / --vqa-model FILE");
        }
        if (maxUploadMb < 1 || queue < 1 || timeoutSeconds < 1 || maxPixels < 1) {
            throw new GlimpseException("--max-upload-mb, --queue, --timeout and --max-pixels must be positive");
        }
        ServerLimits limits = new ServerLimits((long) maxUploadMb << 20, maxPixels, timeoutSeconds, queue);
        ImageLoader loader = new ImageLoader(limits.imageLimits());
        LocalCaptionService captioner = cap == null ? null : LocalCaptionService.open(cap, encoderAccess.access(), loader);
        LocalVqaService answering;
        try {
            answering = vqa == null ? null : LocalVqaService.open(vqa, encoderAccess.access(), loader);
        } catch (RuntimeException e) {
            if (captioner != null) {
                captioner.close();
            }
            throw e;
        }
        try (GlimpseServer server = new GlimpseServer(new Services(captioner, answering), limits).start(host, port)) {
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

package dev.glimpse.app.serve;

import dev.glimpse.app.service.AskRequest;
import dev.glimpse.app.service.CaptionRequest;
import dev.glimpse.app.service.CaptionResult;
import dev.glimpse.app.service.CaptionService;
import dev.glimpse.app.service.CaptionSettings;
import dev.glimpse.app.service.Failure;
import dev.glimpse.app.service.ImageInput;
import dev.glimpse.app.service.VqaService;
import dev.glimpse.common.GlimpseException;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.UploadedFile;
import io.javalin.http.staticfiles.Location;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON HTTP API and the web page over the same services the command line calls. Inference
 * (image decoding included) runs on ONE worker thread (ND4J already uses both cores per call, and
 * the services are not thread-safe) behind a bounded queue: a full queue answers 503 at once
 * instead of piling up requests and memory. Errors map through {@link Failure}, as the CLI's exit
 * codes do. Closing the server closes the services.
 */
public final class GlimpseServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GlimpseServer.class);
    private final Services services;
    private final ServerLimits limits;
    private final ThreadPoolExecutor worker;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private Javalin app;

    /** @param services opened with an image loader bounded by {@link ServerLimits#imageLimits()} */
    public GlimpseServer(Services services, ServerLimits limits) {
        this.services = services;
        this.limits = limits;
        this.worker = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(Math.max(1, limits.queueCapacity())), r -> {
                    Thread t = new Thread(r, "glimpse-inference");
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Starts listening; port 0 picks a free port (see {@link #port()}). */
    public GlimpseServer start(String host, int port) {
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = limits.maxUploadBytes() + (64 << 10);
            config.jetty.multipartConfig.maxFileSize(limits.maxUploadBytes(), SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(limits.maxUploadBytes() + (64 << 10), SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize((int) Math.min(Integer.MAX_VALUE, limits.maxUploadBytes()), SizeUnit.BYTES);
            config.staticFiles.add(s -> {
                s.hostedPath = "/";
                s.directory = "/web";
                s.location = Location.CLASSPATH;
            });
        });
        long maxRequest = limits.maxUploadBytes() + (64 << 10);
        app.before("/api/*", ctx -> {
            if (ctx.contentLength() > maxRequest) {
                throw new UploadTooLarge();
            }
        });
        app.exception(UploadTooLarge.class, (e, ctx) -> error(ctx, HttpStatus.CONTENT_TOO_LARGE,
                "upload larger than " + limits.maxUploadBytes() + " bytes"));
        app.get("/api/health", ctx -> ctx.json(Map.of("status", "ok",
                "captioner", services.captioner() != null, "vqa", services.vqa() != null,
                "served", served.get(), "rejected", rejected.get(), "queued", worker.getQueue().size())));
        app.get("/api/models", ctx -> ctx.json(services.describe()));
        app.post("/api/caption", this::caption);
        app.post("/api/ask", this::ask);
        app.exception(Exception.class, (e, ctx) -> {
            // Jetty reports a multipart body over its limits (chunked uploads) as IllegalStateException.
            if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("exceeds")) {
                error(ctx, HttpStatus.CONTENT_TOO_LARGE, "upload larger than " + limits.maxUploadBytes() + " bytes");
                return;
            }
            Failure f = Failure.of(e);
            if (f.kind() == Failure.Kind.INTERNAL) {
                LOG.error("{} {}: {}", ctx.method(), ctx.path(), f.message(), e);
            }
            error(ctx, HttpStatus.forStatus(f.kind().httpStatus), f.message());
        });
        app.error(HttpStatus.CONTENT_TOO_LARGE, ctx -> error(ctx, HttpStatus.CONTENT_TOO_LARGE,
                "upload larger than " + limits.maxUploadBytes() + " bytes"));
        app.error(HttpStatus.NOT_FOUND, ctx -> {
            if (ctx.path().startsWith("/api/")) {
                error(ctx, HttpStatus.NOT_FOUND, "no such endpoint: " + ctx.path());
            }
        });
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    private void caption(Context ctx) throws Exception {
        CaptionService service = services.captioner();
        if (service == null) {
            error(ctx, HttpStatus.NOT_FOUND, "no captioning model loaded");
            return;
        }
        CaptionSettings settings = new CaptionSettings(
                intParam(ctx, "beam", CaptionSettings.DEFAULT_BEAM),
                intParam(ctx, "max_length", CaptionSettings.DEFAULT_MAX_WORDS), 0);
        ImageInput image = image(ctx);
        Object result = run(ctx, () -> {
            CaptionResult r = service.caption(new CaptionRequest(List.of(image), settings));
            if (!r.errors().isEmpty()) {
                throw new GlimpseException(r.errors().get(0).error());
            }
            return r.captions().get(0);
        });
        ctx.json(result);
    }

    private void ask(Context ctx) throws Exception {
        VqaService service = services.vqa();
        if (service == null) {
            error(ctx, HttpStatus.NOT_FOUND, "no VQA model loaded");
            return;
        }
        String question = ctx.formParam("question");
        AskRequest request = new AskRequest(image(ctx), question == null ? "" : question,
                intParam(ctx, "top", AskRequest.DEFAULT_TOP));
        ctx.json(run(ctx, () -> service.ask(request)));
    }

    /** The uploaded bytes; decoding happens on the worker, inside the service. */
    private ImageInput image(Context ctx) throws IOException {
        UploadedFile file = ctx.uploadedFile("image");
        if (file == null) {
            throw new GlimpseException("image: missing multipart field \"image\"");
        }
        if (file.size() > limits.maxUploadBytes()) {
            throw new GlimpseException("image: upload larger than " + limits.maxUploadBytes() + " bytes");
        }
        try (InputStream in = file.content()) {
            return ImageInput.bytes(file.filename(), in.readNBytes((int) limits.maxUploadBytes() + 1));
        }
    }

    private <T> Object run(Context ctx, Callable<T> task) throws Exception {
        Future<T> f;
        try {
            f = worker.submit(task);
        } catch (RejectedExecutionException e) {
            rejected.incrementAndGet();
            ctx.header("Retry-After", "1");
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE);
            return Map.of("error", "busy: too many requests waiting, retry shortly");
        }
        try {
            T result = f.get(limits.timeoutSeconds(), TimeUnit.SECONDS);
            served.incrementAndGet();
            return result;
        } catch (TimeoutException e) {
            f.cancel(true);
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE);
            return Map.of("error", "timed out after " + limits.timeoutSeconds() + " s");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    private static int intParam(Context ctx, String name, int dflt) {
        String v = ctx.formParam(name);
        if (v == null) {
            v = ctx.queryParam(name);
        }
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new GlimpseException(name + ": not a whole number: " + v);
        }
    }

    private static void error(Context ctx, HttpStatus status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        ctx.status(status).json(body);
    }

    private static final class UploadTooLarge extends RuntimeException {
        UploadTooLarge() {
            super(null, null, false, false);
        }
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
        worker.shutdownNow();
        services.close();
    }
}

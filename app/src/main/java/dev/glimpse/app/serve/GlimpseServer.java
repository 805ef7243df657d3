package dev.glimpse.app.serve;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.ImageLimits;
import dev.glimpse.common.image.ImageLoader;
import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.UploadedFile;
import io.javalin.http.staticfiles.Location;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
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

/**
 * The JSON HTTP API and the web page. Inference runs on ONE worker thread (ND4J already uses
 * both cores per call, and predictors are not thread-safe) behind a bounded queue: a full queue
 * answers 503 at once instead of piling up requests and memory.
 */
public final class GlimpseServer implements AutoCloseable {
    private final InferenceEngine engine;
    private final ServerLimits limits;
    private final ImageLoader loader;
    private final ThreadPoolExecutor worker;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private Javalin app;

    public GlimpseServer(InferenceEngine engine, ServerLimits limits) {
        this.engine = engine;
        this.limits = limits;
        this.loader = new ImageLoader(new ImageLimits(limits.maxPixels(), limits.maxUploadBytes()));
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
                "captioner", engine.hasCaptioner(), "vqa", engine.hasVqa(),
                "served", served.get(), "rejected", rejected.get(), "queued", worker.getQueue().size())));
        app.get("/api/models", ctx -> ctx.json(engine.info()));
        app.post("/api/caption", this::caption);
        app.post("/api/ask", this::ask);
        app.exception(GlimpseException.class, (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
        app.exception(Exception.class, (e, ctx) -> {
            // Jetty reports a multipart body over its limits (chunked uploads) as IllegalStateException.
            if (e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("exceeds")) {
                error(ctx, HttpStatus.CONTENT_TOO_LARGE, "upload larger than " + limits.maxUploadBytes() + " bytes");
            } else {
                error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, "internal error: " + e.getClass().getSimpleName());
            }
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
        if (!engine.hasCaptioner()) {
            error(ctx, HttpStatus.NOT_FOUND, "no captioning model loaded");
            return;
        }
        int beam = intParam(ctx, "beam", 3, 1, 10);
        BufferedImage image = image(ctx);
        ctx.json(run(ctx, () -> engine.caption(image, beam)));
    }

    private void ask(Context ctx) throws Exception {
        if (!engine.hasVqa()) {
            error(ctx, HttpStatus.NOT_FOUND, "no VQA model loaded");
            return;
        }
        String question = ctx.formParam("question");
        if (question == null || question.isBlank()) {
            throw new GlimpseException("question: missing or empty");
        }
        if (question.length() > limits.maxQuestionChars()) {
            throw new GlimpseException("question: longer than " + limits.maxQuestionChars() + " characters");
        }
        int top = intParam(ctx, "top", 3, 1, 20);
        BufferedImage image = image(ctx);
        ctx.json(run(ctx, () -> engine.ask(image, question, top)));
    }

    private BufferedImage image(Context ctx) throws IOException {
        UploadedFile file = ctx.uploadedFile("image");
        if (file == null) {
            throw new GlimpseException("image: missing multipart field \"image\"");
        }
        if (file.size() > limits.maxUploadBytes()) {
            throw new GlimpseException("image: upload larger than " + limits.maxUploadBytes() + " bytes");
        }
        String name = file.filename() == null || file.filename().isBlank() ? "upload" : file.filename();
        try (InputStream in = file.content()) {
            return loader.load(in.readAllBytes(), name);
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

    private static int intParam(Context ctx, String name, int dflt, int min, int max) {
        String v = ctx.formParam(name);
        if (v == null) {
            v = ctx.queryParam(name);
        }
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            int i = Integer.parseInt(v.trim());
            if (i < min || i > max) {
                throw new GlimpseException(name + ": must be between " + min + " and " + max);
            }
            return i;
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
    }
}

package dev.glimpse.app.serve;

import dev.glimpse.app.service.AskRequest;
import dev.glimpse.app.service.CaptionSettings;
import dev.glimpse.app.service.Failure;
import dev.glimpse.app.service.ImageInput;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.ImageLoader;
import io.javalin.Javalin;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import javax.imageio.ImageIO;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON HTTP API and the web page over the same services the command line calls. Inference
 * (image decoding included) runs on the {@link InferenceQueue}'s one worker, in batches; the
 * request threads only receive bytes, check the image header and wait without a thread
 * (asynchronously) for the answer. Every refusal, whether this class or Jetty makes it, is a
 * 4xx/503 with a one-line JSON {@code error} and a log line. Errors map through {@link Failure},
 * as the CLI's exit codes do. Closing the server closes the services.
 */
public final class GlimpseServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GlimpseServer.class);
    private final Services services;
    private final ServerLimits limits;
    private final ImageLoader headers;
    private final InferenceQueue queue;
    private final UploadBudget uploads;
    private final AtomicLong served = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private Javalin app;

    /** @param services opened with an image loader bounded by {@link ServerLimits#imageLimits()} */
    public GlimpseServer(Services services, ServerLimits limits) {
        this(services, limits, BatchPolicy.defaults());
    }

    public GlimpseServer(Services services, ServerLimits limits, BatchPolicy batching) {
        this.services = services;
        this.limits = limits;
        this.headers = new ImageLoader(limits.imageLimits());
        this.queue = new InferenceQueue(services, batching);
        this.uploads = new UploadBudget(limits.uploadBudgetBytes(), limits.uploadsInProgress());
    }

    /** Starts listening; port 0 picks a free port (see {@link #port()}). */
    public GlimpseServer start(String host, int port) {
        app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = limits.maxRequestBytes();
            config.http.asyncTimeout = TimeUnit.SECONDS.toMillis(limits.timeoutSeconds() + 5L);
            // Bounded threads, and a queue of work for them with room for one task per connection (bytes
            // arriving on every connection at once are one task each); beyond it Jetty closes connections.
            config.jetty.threadPool = new QueuedThreadPool(limits.maxThreads(), Math.min(8, limits.maxThreads()), 60_000,
                    new BlockingArrayQueue<>(64, 64, limits.maxConnections() + limits.maxThreads()));
            config.jetty.modifyHttpConfiguration(http -> {
                http.setMinRequestDataRate(limits.minBytesPerSecond());
                // Handlers run once the headers are in, so an upload that is too large or over the
                // budget is refused before its first byte (Jetty's default waits for the body to start).
                http.setDelayDispatchUntilContent(false);
                http.setRequestHeaderSize(16 << 10);
                http.setSendServerVersion(false);
            });
            config.jetty.modifyServletContextHandler(context -> {
                context.setMaxFormContentSize(ServerLimits.MAX_FORM_BYTES);
                context.setMaxFormKeys(ServerLimits.MAX_PARTS);
            });
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            config.jetty.addConnector((server, http) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(host);
                connector.setPort(port);
                connector.setIdleTimeout(limits.idleTimeoutMillis());
                connector.addBean(new HeaderDeadline(connector.getScheduler(), limits.headerTimeoutMillis()));
                server.addBean(new ConnectionLimit(limits.maxConnections(), connector));
                return connector;
            });
            config.staticFiles.add(s -> {
                s.hostedPath = "/";
                s.directory = "/web";
                s.location = Location.CLASSPATH;
            });
        });
        // Answered on the request thread from counters only: never waits for the worker or its queue.
        app.get("/api/health", ctx -> {
            InferenceQueue.Stats stats = queue.stats();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", "ok");
            m.put("captioner", services.captioner() != null);
            m.put("vqa", services.vqa() != null);
            m.put("served", served.get());
            m.put("rejected", refused.get()); // 503s: load shed and deadlines
            m.put("queued", queue.waiting());
            m.put("receiving", uploads.receiving());
            m.put("upload_bytes_held", uploads.usedBytes());
            m.put("batches", stats.batches());
            m.put("largest_batch", stats.largestBatch());
            m.put("seconds_per_image", Math.round(stats.secondsPerWork() * 1e4) / 1e4);
            ctx.json(m);
        });
        app.get("/api/models", ctx -> ctx.json(services.describe()));
        app.post("/api/caption", this::caption);
        app.post("/api/ask", this::ask);
        app.exception(Exception.class, (e, ctx) -> answerError(ctx, e));
        app.error(HttpStatus.NOT_FOUND, ctx -> {
            if (ctx.path().startsWith("/api/")) {
                error(ctx, HttpStatus.NOT_FOUND, "no such endpoint: " + ctx.path());
            }
        });
        app.start();
        return this;
    }

    /** Captions one full batch of a blank picture before real requests come (see {@link InferenceQueue#warmUp}). */
    public void warmUp() throws Exception {
        BufferedImage blank = new BufferedImage(224, 224, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(blank, "png", png);
        queue.warmUp(png.toByteArray());
    }

    public int port() {
        return app.port();
    }

    private void caption(Context ctx) {
        if (services.captioner() == null) {
            error(ctx, HttpStatus.NOT_FOUND, "no captioning model loaded");
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(limits.timeoutSeconds());
        UploadBudget.Reservation reservation = admit(ctx);
        if (reservation == null) {
            return;
        }
        boolean handedOff = false;
        try {
            UploadForm form = UploadForm.read(ctx, limits);
            reservation.bodyReceived();
            CaptionSettings settings = new CaptionSettings(form.intField("beam", CaptionSettings.DEFAULT_BEAM),
                    form.intField("max_length", CaptionSettings.DEFAULT_MAX_WORDS), 0);
            ImageInput image = form.image();
            long pixels = headers.headerPixels(image.bytes(), image.name()); // a bad header is refused here, unqueued
            answer(ctx, queue.caption(image, pixels, settings, deadline), reservation, deadline);
            handedOff = true;
        } finally {
            if (!handedOff) {
                reservation.close();
            }
        }
    }

    private void ask(Context ctx) {
        if (services.vqa() == null) {
            error(ctx, HttpStatus.NOT_FOUND, "no VQA model loaded");
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(limits.timeoutSeconds());
        UploadBudget.Reservation reservation = admit(ctx);
        if (reservation == null) {
            return;
        }
        boolean handedOff = false;
        try {
            UploadForm form = UploadForm.read(ctx, limits);
            reservation.bodyReceived();
            String question = form.field("question");
            AskRequest request = new AskRequest(form.image(), question == null ? "" : question,
                    form.intField("top", AskRequest.DEFAULT_TOP));
            long pixels = headers.headerPixels(request.image().bytes(), request.image().name());
            answer(ctx, queue.ask(request, pixels, deadline), reservation, deadline);
            handedOff = true;
        } finally {
            if (!handedOff) {
                reservation.close();
            }
        }
    }

    /**
     * Reserves memory for the body before a byte of it is read; a body that is too large, or does
     * not fit the budget now, is refused without reading it (and the connection closed).
     */
    private UploadBudget.Reservation admit(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        if (length > limits.maxRequestBytes()) {
            ctx.header("Connection", "close");
            refuse(ctx, HttpStatus.CONTENT_TOO_LARGE, "upload larger than " + limits.maxUploadBytes() + " bytes");
            return null;
        }
        UploadBudget.Reservation r = uploads.reserve(length < 0 ? limits.maxRequestBytes() : length);
        if (r == null) {
            ctx.header("Connection", "close");
            ctx.header("Retry-After", "1");
            refuse(ctx, HttpStatus.SERVICE_UNAVAILABLE,
                    "busy: too many uploads in progress or held in memory, retry shortly");
        }
        return r;
    }

    /** Waits for the worker without holding a thread; the reservation is returned with the answer. */
    private <T> void answer(Context ctx, CompletableFuture<T> result, UploadBudget.Reservation reservation, long deadline) {
        long left = Math.max(1, deadline - System.nanoTime());
        ctx.future(() -> result.orTimeout(left, TimeUnit.NANOSECONDS).handle((value, error) -> {
            reservation.close();
            if (error == null) {
                served.incrementAndGet();
                ctx.json(value);
            } else {
                answerError(ctx, error);
            }
            return null;
        }));
    }

    private void answerError(Context ctx, Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof InferenceQueue.Busy busy) {
            ctx.header("Retry-After", Integer.toString(busy.retryAfterSeconds));
            refuse(ctx, HttpStatus.SERVICE_UNAVAILABLE, busy.getMessage());
            return;
        }
        if (t instanceof TimeoutException || t instanceof InferenceQueue.Expired) {
            refuse(ctx, HttpStatus.SERVICE_UNAVAILABLE, "timed out after " + limits.timeoutSeconds() + " s waiting for the model");
            return;
        }
        if (t instanceof UploadForm.Refused r) {
            ctx.header("Connection", "close"); // the rest of a malformed body is not worth reading
            refuse(ctx, r.status, r.getMessage());
            return;
        }
        Failure f = Failure.of(t);
        if (f.kind() == Failure.Kind.INTERNAL) {
            LOG.error("{} {}: {}", ctx.method(), ctx.path(), f.message(), t);
            error(ctx, HttpStatus.INTERNAL_SERVER_ERROR, f.message());
        } else {
            refuse(ctx, HttpStatus.forStatus(f.kind().httpStatus), f.message());
        }
    }

    /**
     * An answer that is not a result, with its log line: 4xx are the client's to fix (WARN), 503 is
     * load shed or a deadline (INFO: many of them are expected under overload, /api/health counts them).
     */
    private void refuse(Context ctx, HttpStatus status, String message) {
        if (status.getCode() == 503) {
            refused.incrementAndGet();
            LOG.info("{} {} from {}: 503 {}", ctx.method(), ctx.path(), ctx.ip(), message);
        } else {
            LOG.warn("{} {} from {}: {} {}", ctx.method(), ctx.path(), ctx.ip(), status.getCode(), message);
        }
        error(ctx, status, message);
    }

    private static void error(Context ctx, HttpStatus status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        ctx.status(status).json(body);
    }

    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
        queue.close();
        services.close();
    }
}

package dev.glimpse.app.serve;

import dev.glimpse.app.service.AskRequest;
import dev.glimpse.app.service.AskResult;
import dev.glimpse.app.service.CaptionResult;
import dev.glimpse.app.service.CaptionSettings;
import dev.glimpse.app.service.ImageInput;
import dev.glimpse.common.GlimpseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one inference worker and the requests waiting for it. The services are not thread-safe and
 * ND4J already uses both cores per call, so one thread runs them; what it gains under load comes
 * from batching: caption requests with the same settings that arrive within
 * {@link BatchPolicy#maxDelayMillis()} of the first are decoded from their bytes, encoded and
 * beam-searched together (TorchServe's batch_size and max_batch_delay).
 *
 * <p>The queue is bounded by time, not by a count: a request is refused at once when the requests
 * ahead of it (counted in {@link Job#work()}: images and their megapixels) would take longer than
 * {@link BatchPolicy#maxWaitMillis()} at the speed measured over the recent batches, and a request still waiting at its deadline is dropped unrun. Memory is bounded
 * by the caller's upload budget (queued requests hold only their encoded bytes) and by the batch
 * pixel budget (only the worker decodes, one batch at a time).
 */
final class InferenceQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InferenceQueue.class);
    /** Weight of the newest batch in the moving average of seconds per image. */
    private static final double SMOOTHING = 0.3;

    private final Services services;
    private final BatchPolicy policy;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final LinkedList<Job> waiting = new LinkedList<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong batchedImages = new AtomicLong();
    private final AtomicInteger largestBatch = new AtomicInteger();
    /** Measured seconds per unit of {@link Job#work()}, smoothed over the recent batches. */
    private volatile double secondsPerWork;
    /** Work of the waiting requests (guarded by the lock). */
    private double waitingWork;
    private volatile boolean closed;
    private final Thread thread;

    InferenceQueue(Services services, BatchPolicy policy) {
        this.services = services;
        this.policy = policy;
        this.thread = new Thread(this::loop, "glimpse-inference");
        thread.setDaemon(true);
        thread.start();
    }

    /** The caller is told to come back later: the expected wait is over the limit. */
    static final class Busy extends RuntimeException {
        final int retryAfterSeconds;

        Busy(String message, int retryAfterSeconds) {
            super(message, null, false, false);
            this.retryAfterSeconds = retryAfterSeconds;
        }
    }

    /** A request that waited until its deadline without being run. */
    static final class Expired extends RuntimeException {
        Expired() {
            super("timed out waiting for the model", null, false, false);
        }
    }

    /** A request: what it asks, when it must be answered by, and the pixels its header claims. */
    private abstract static class Job {
        final long deadlineNanos;
        final long arrivalNanos = System.nanoTime();
        final long pixels;

        Job(long deadlineNanos, long pixels) {
            this.deadlineNanos = deadlineNanos;
            this.pixels = pixels;
        }

        /**
         * What running it costs, in units of one small image: decoding grows with the pixels, and on
         * this machine a megapixel decodes in about the time a small image is encoded and captioned
         * (a 36-megapixel upload takes ~2 s where a scene image takes ~0.05 s in a batch).
         */
        double work() {
            return 1 + pixels / 1e6;
        }

        /** Jobs with equal keys can run as one batch. */
        abstract Object batchKey();

        abstract CompletableFuture<?> future();
    }

    private static final class CaptionJob extends Job {
        final ImageInput image;
        final CaptionSettings settings;
        final CompletableFuture<CaptionResult.ImageCaption> future = new CompletableFuture<>();

        CaptionJob(ImageInput image, CaptionSettings settings, long deadlineNanos, long pixels) {
            super(deadlineNanos, pixels);
            this.image = image;
            this.settings = settings;
        }

        @Override
        Object batchKey() {
            return settings;
        }

        @Override
        CompletableFuture<?> future() {
            return future;
        }
    }

    private static final class AskJob extends Job {
        final AskRequest request;
        final CompletableFuture<AskResult> future = new CompletableFuture<>();

        AskJob(AskRequest request, long deadlineNanos, long pixels) {
            super(deadlineNanos, pixels);
            this.request = request;
        }

        @Override
        Object batchKey() {
            return this; // one question at a time
        }

        @Override
        CompletableFuture<?> future() {
            return future;
        }
    }

    /** Queues a caption; the future fails with {@link Expired} if it is not run by the deadline. */
    CompletableFuture<CaptionResult.ImageCaption> caption(ImageInput image, long pixels, CaptionSettings settings,
                                                          long deadlineNanos) {
        CaptionJob job = new CaptionJob(image, settings, deadlineNanos, pixels);
        add(job);
        return job.future;
    }

    CompletableFuture<AskResult> ask(AskRequest request, long pixels, long deadlineNanos) {
        AskJob job = new AskJob(request, deadlineNanos, pixels);
        add(job);
        return job.future;
    }

    private void add(Job job) {
        lock.lock();
        try {
            if (closed) {
                throw new Busy("the server is stopping", 5);
            }
            double expected = (waitingWork + job.work()) * secondsPerWork;
            if (expected * 1000 > policy.maxWaitMillis()) {
                throw new Busy(String.format("busy: %d requests waiting, about %.1f s of work (limit %.1f s), retry shortly",
                        waiting.size(), expected, policy.maxWaitMillis() / 1000.0),
                        (int) Math.max(1, Math.ceil(expected - policy.maxWaitMillis() / 1000.0)));
            }
            waiting.add(job);
            waitingWork += job.work();
            queued.incrementAndGet();
            arrived.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs one full batch of the default settings through the captioner, so that the first batches
     * of real requests do not pay for growing ND4J's workspaces and buffers to the batch size
     * (measured: the first minutes of a fresh server at 16 clients ran at a third of the later speed).
     */
    void warmUp(byte[] image) throws Exception {
        if (services.captioner() == null) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        List<CompletableFuture<CaptionResult.ImageCaption>> fs = new ArrayList<>();
        for (int i = 0; i < policy.batchSize(); i++) {
            fs.add(caption(ImageInput.bytes("warm-up.png", image), 224 * 224, CaptionSettings.DEFAULT, deadline));
        }
        for (CompletableFuture<CaptionResult.ImageCaption> f : fs) {
            f.get();
        }
    }

    int waiting() {
        return queued.get();
    }

    /** For /api/health: batches run, images in them, the largest, and the measured seconds per image. */
    Stats stats() {
        return new Stats(batches.get(), batchedImages.get(), largestBatch.get(), secondsPerWork);
    }

    /** @param secondsPerWork measured seconds per small image (a megapixel counts as one more) */
    record Stats(long batches, long images, int largestBatch, double secondsPerWork) {}

    private void loop() {
        while (!closed) {
            List<Job> batch;
            try {
                batch = nextBatch();
            } catch (InterruptedException e) {
                return;
            }
            run(batch);
        }
    }

    /**
     * Waits for the oldest request, then until the batch is full, its pixel budget is spent or
     * the oldest request has waited the batch delay; takes the batch out of the queue.
     */
    private List<Job> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                dropDone();
                if (waiting.isEmpty()) {
                    arrived.await(1, TimeUnit.SECONDS); // also wakes to drop requests past their deadline
                    continue;
                }
                Job first = waiting.getFirst();
                List<Job> batch = new ArrayList<>();
                long pixels = 0;
                boolean full = false;
                for (Job j : waiting) {
                    if (!j.batchKey().equals(first.batchKey())) {
                        continue;
                    }
                    if (!batch.isEmpty() && pixels + j.pixels > policy.batchPixels()) {
                        full = true;
                        break;
                    }
                    batch.add(j);
                    pixels += j.pixels;
                    if (batch.size() == policy.batchSize()) {
                        full = true;
                        break;
                    }
                }
                long wait = first.arrivalNanos + TimeUnit.MILLISECONDS.toNanos(policy.maxDelayMillis()) - System.nanoTime();
                if (full || wait <= 0 || first.batchKey() == first) {
                    waiting.removeAll(batch);
                    batch.forEach(j -> waitingWork -= j.work());
                    queued.addAndGet(-batch.size());
                    return batch;
                }
                arrived.awaitNanos(wait);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Requests already answered (timed out by their caller) or past their deadline leave unrun. */
    private void dropDone() {
        long now = System.nanoTime();
        for (Iterator<Job> it = waiting.iterator(); it.hasNext(); ) {
            Job j = it.next();
            if (j.future().isDone() || now - j.deadlineNanos > 0) {
                it.remove();
                waitingWork -= j.work();
                queued.decrementAndGet();
                j.future().completeExceptionally(new Expired());
            }
        }
    }

    private void run(List<Job> batch) {
        long t0 = System.nanoTime();
        try {
            if (batch.get(0) instanceof AskJob ask) {
                ask.future.complete(services.vqa().ask(ask.request));
            } else {
                List<CaptionJob> jobs = batch.stream().map(CaptionJob.class::cast).toList();
                List<CaptionResult> results = services.captioner().captionEach(
                        jobs.stream().map(j -> j.image).toList(), jobs.get(0).settings);
                for (int i = 0; i < jobs.size(); i++) {
                    CaptionResult r = results.get(i);
                    if (r.captions().isEmpty()) {
                        jobs.get(i).future.completeExceptionally(new GlimpseException(
                                r.errors().isEmpty() ? "image: no caption" : r.errors().get(0).error()));
                    } else {
                        jobs.get(i).future.complete(r.captions().get(0));
                    }
                }
            }
        } catch (Throwable e) { // the worker must survive whatever one batch runs into (OutOfMemoryError included)
            if (!(e instanceof GlimpseException)) {
                LOG.error("inference failed for a batch of {}: {}", batch.size(), e.toString(), e);
            }
            batch.forEach(j -> j.future().completeExceptionally(e));
        } finally {
            double seconds = (System.nanoTime() - t0) / 1e9 / batch.stream().mapToDouble(Job::work).sum();
            secondsPerWork = secondsPerWork == 0 ? seconds : (1 - SMOOTHING) * secondsPerWork + SMOOTHING * seconds;
            batches.incrementAndGet();
            batchedImages.addAndGet(batch.size());
            largestBatch.accumulateAndGet(batch.size(), Math::max);
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        lock.lock();
        try {
            waiting.forEach(j -> j.future().completeExceptionally(new Busy("the server is stopping", 5)));
            waiting.clear();
            waitingWork = 0;
            queued.set(0);
        } finally {
            lock.unlock();
        }
    }
}

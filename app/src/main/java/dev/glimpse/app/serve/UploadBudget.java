package dev.glimpse.app.serve;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds the memory request bodies take, whatever the concurrency: a request reserves its cost
 * before its body is read and returns it when its answer is sent, and a request that does not fit
 * is refused before reading a byte. Also bounds how many bodies are being received at once, since
 * each holds a server thread while it arrives (a slow client holds it until the minimum data rate
 * cuts it off), so threads stay free for other requests and /api/health.
 */
final class UploadBudget {
    private final long capacity;
    private final AtomicLong used = new AtomicLong();
    private final Semaphore receiving;
    private final int receivingAtOnce;

    UploadBudget(long capacityBytes, int receivingAtOnce) {
        this.capacity = capacityBytes;
        this.receivingAtOnce = receivingAtOnce;
        this.receiving = new Semaphore(receivingAtOnce);
    }

    /**
     * Bytes held per body byte: Jetty's multipart buffer (which grows by doubling, so up to twice
     * the part) stays referenced until the answer is sent, the upload's bytes are copied out of it
     * once, and the JPEG header check may make one more copy while it runs.
     */
    static long cost(long bodyBytes) {
        return 4 * bodyBytes;
    }

    /** A reservation for a body of at most {@code bodyBytes}, or null when it does not fit now. */
    Reservation reserve(long bodyBytes) {
        long cost = cost(bodyBytes);
        if (!receiving.tryAcquire()) {
            return null;
        }
        for (long u = used.get(); ; u = used.get()) {
            if (u + cost > capacity) {
                receiving.release();
                return null;
            }
            if (used.compareAndSet(u, u + cost)) {
                return new Reservation(cost);
            }
        }
    }

    long usedBytes() {
        return used.get();
    }

    int receiving() {
        return receivingAtOnce - receiving.availablePermits();
    }

    /** Held from before the body is read until the answer is sent; closing twice is harmless. */
    final class Reservation implements AutoCloseable {
        private final long bytes;
        private boolean received;
        private boolean closed;

        private Reservation(long bytes) {
            this.bytes = bytes;
        }

        /** The body is in memory: this request no longer holds a thread on the network. */
        synchronized void bodyReceived() {
            if (!received) {
                received = true;
                receiving.release();
            }
        }

        @Override
        public synchronized void close() {
            bodyReceived();
            if (!closed) {
                closed = true;
                used.addAndGet(-bytes);
            }
        }
    }
}

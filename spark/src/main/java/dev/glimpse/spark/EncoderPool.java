package dev.glimpse.spark;

import dev.glimpse.common.encoder.ImageEncoder;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.function.Supplier;

/**
 * Encoders kept open between the tasks of one executor JVM. Opening one costs seconds to tens of
 * seconds (loading or drawing the weights, checking the fast path against the graph, and for
 * random weights calibrating the feature scale), so a partition borrows an idle encoder of the
 * same options when there is one and opens one only otherwise. An encoder serves one task at a
 * time (it is not thread-safe); at most {@link #MAX_IDLE} stay open when idle, the oldest are
 * closed first. An encoder whose task failed is closed, never returned.
 */
final class EncoderPool {
    static final int MAX_IDLE = 2;

    /** @param key the options, and for a shipped weights file its size and time: same key, same weights */
    private record Idle(String key, ImageEncoder encoder) {}

    private static final Deque<Idle> IDLE = new ArrayDeque<>();

    private EncoderPool() {}

    /** An idle encoder of these options, or a new one from {@code open}. */
    static ImageEncoder borrow(String key, Supplier<ImageEncoder> open) {
        synchronized (IDLE) {
            for (Iterator<Idle> it = IDLE.iterator(); it.hasNext(); ) {
                Idle idle = it.next();
                if (idle.key().equals(key)) {
                    it.remove();
                    return idle.encoder();
                }
            }
        }
        return open.get();
    }

    /** Gives back an encoder whose task succeeded. */
    static void giveBack(String key, ImageEncoder encoder) {
        ImageEncoder evicted = null;
        synchronized (IDLE) {
            IDLE.addLast(new Idle(key, encoder));
            if (IDLE.size() > MAX_IDLE) {
                evicted = IDLE.removeFirst().encoder();
            }
        }
        if (evicted != null) {
            evicted.close();
        }
    }
}

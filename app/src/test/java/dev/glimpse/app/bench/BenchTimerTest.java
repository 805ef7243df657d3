package dev.glimpse.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BenchTimerTest {
    /** Warm-up runs the body for its minimum count and time (and then until the JIT is idle, bounded); only the timed runs are returned. */
    @Test
    void warmsUpThenTimesExactlyTheRepetitions() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        long t0 = System.nanoTime();
        BenchTimer.Timing t = BenchTimer.time(() -> {
            runs.incrementAndGet();
            Thread.sleep(20);
        }, 7, 4);
        long elapsed = System.nanoTime() - t0;
        assertEquals(4, t.wall().length);
        assertEquals(4, t.cpu().length);
        assertTrue(runs.get() >= 7 + 4, "runs " + runs.get());
        assertTrue(elapsed >= BenchTimer.WARMUP_NANOS, "warmed up for " + elapsed / 1e9 + " s");
        assertTrue(elapsed < BenchTimer.MAX_WARMUP_NANOS + 5_000_000_000L, "warm-up is bounded: " + elapsed / 1e9 + " s");
        for (double w : t.wall()) {
            assertTrue(w >= 0.019, "a timed run sleeps 20 ms: " + w);
        }
    }
}

package dev.glimpse.app.bench;

import java.lang.management.ManagementFactory;

/**
 * Warm-up, then timed repetitions; the same protocol as pytorch_ref.py's timeit(). Besides wall
 * time it records the process CPU time of each repetition: on a shared, loaded machine that is the
 * steadier measure of the work done (it still grows when OpenMP threads spin waiting for a core).
 */
final class BenchTimer {
    static final long WARMUP_NANOS = 3_000_000_000L;

    private BenchTimer() {}

    interface Body {
        void run() throws Exception;
    }

    /** Seconds per repetition, wall clock and process CPU. */
    record Timing(double[] wall, double[] cpu) {}

    /**
     * Warms up for at least {@code warmup} runs and {@link #WARMUP_NANOS}: unlike Python, the JVM is
     * still compiling the decoders' Java loops after a few runs of a short case (the first GREEDY
     * batch-1 repetitions used ~2.4 cores of CPU for one core of work), and a steady state is what a
     * server or a data-set run sees.
     */
    static Timing time(Body body, int warmup, int reps) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < warmup || System.nanoTime() - start < WARMUP_NANOS; i++) {
            body.run();
        }
        double[] t = new double[reps];
        double[] cpu = new double[reps];
        for (int i = 0; i < reps; i++) {
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
            cpu[i] = (processCpuNanos() - c0) / 1e9;
        }
        return new Timing(t, cpu);
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }
}

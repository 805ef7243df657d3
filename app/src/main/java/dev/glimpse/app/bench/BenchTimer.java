package dev.glimpse.app.bench;

import java.lang.management.ManagementFactory;

/**
 * Warm-up, then timed repetitions; the same protocol as pytorch_ref.py's timeit(). Besides wall
 * time it records the process CPU time of each repetition: on a shared, loaded machine that is the
 * steadier measure of the work done (it still grows when OpenMP threads spin waiting for a core).
 */
final class BenchTimer {
    static final long WARMUP_NANOS = 3_000_000_000L;
    /** Warm-up goes on until the JIT compiler has been idle this long ... */
    static final long JIT_QUIET_NANOS = 1_000_000_000L;
    /** ... or this much time has passed. */
    static final long MAX_WARMUP_NANOS = 20_000_000_000L;

    private BenchTimer() {}

    interface Body {
        void run() throws Exception;
    }

    /** Seconds per repetition, wall clock and process CPU. */
    record Timing(double[] wall, double[] cpu) {}

    /**
     * Warms up for at least {@code warmup} runs and {@link #WARMUP_NANOS}, and then until the JIT compiler has
     * compiled nothing for {@link #JIT_QUIET_NANOS} (at most {@link #MAX_WARMUP_NANOS}): unlike Python, the JVM is
     * still compiling the decoders' Java loops after a few runs of a short case (the first GREEDY batch-1
     * repetitions used ~2.4 cores of CPU for one core of work), a compiler thread then takes a core from the
     * OpenMP threads that spin waiting for each other (the first case of a run had p95 at 3-4x its median, the
     * same case after others 1.1-1.2x), and a steady state is what a server or a data-set run sees.
     */
    static Timing time(Body body, int warmup, int reps) throws Exception {
        long start = System.nanoTime();
        var jit = ManagementFactory.getCompilationMXBean();
        boolean watchJit = jit != null && jit.isCompilationTimeMonitoringSupported();
        long compiled = watchJit ? jit.getTotalCompilationTime() : 0;
        long quietSince = start;
        for (int i = 0; ; i++) {
            long now = System.nanoTime();
            boolean warm = i >= warmup && now - start >= WARMUP_NANOS;
            if (warm && (!watchJit || now - quietSince >= JIT_QUIET_NANOS || now - start >= MAX_WARMUP_NANOS)) {
                break;
            }
            body.run();
            long total = watchJit ? jit.getTotalCompilationTime() : compiled;
            if (total != compiled) {
                compiled = total;
                quietSince = System.nanoTime();
            }
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

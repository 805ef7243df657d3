package dev.glimpse.app.bench;

import java.lang.management.ManagementFactory;

/**
 * Warm-up, then timed repetitions; the same protocol as pytorch_ref.py's timeit(). Besides wall
 * time it records the process CPU time of each repetition: on a shared, loaded machine that is the
 * steadier measure of the work done (it still grows when OpenMP threads spin waiting for a core).
 */
final class BenchTimer {
    private BenchTimer() {}

    interface Body {
        void run() throws Exception;
    }

    /** Seconds per repetition, wall clock and process CPU. */
    record Timing(double[] wall, double[] cpu) {}

    static Timing time(Body body, int warmup, int reps) throws Exception {
        for (int i = 0; i < warmup; i++) {
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

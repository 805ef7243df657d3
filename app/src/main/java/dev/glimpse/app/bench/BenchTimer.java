package dev.glimpse.app.bench;

/** Warm-up, then timed repetitions; the same protocol as pytorch_ref.py's timeit(). */
final class BenchTimer {
    private BenchTimer() {}

    interface Body {
        void run() throws Exception;
    }

    static double[] time(Body body, int warmup, int reps) throws Exception {
        for (int i = 0; i < warmup; i++) {
            body.run();
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return t;
    }
}

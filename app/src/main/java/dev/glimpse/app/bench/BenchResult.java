package dev.glimpse.app.bench;

import java.util.Arrays;

/** One measured variant: seconds per iteration of {@code items} samples, like pytorch_ref.py's record(). */
record BenchResult(String benchCase, String variant, int n, double items, double msMed, double msMin, double msMax,
                   String unit, double cpuMsMean, double msP95) {

    /** A result without CPU time or p95 (PyTorch's JSON has neither). */
    BenchResult(String benchCase, String variant, int n, double items, double msMed, double msMin, double msMax,
                String unit) {
        this(benchCase, variant, n, items, msMed, msMin, msMax, unit, Double.NaN, Double.NaN);
    }

    static BenchResult of(String benchCase, String variant, BenchTimer.Timing timing, double items, String unit) {
        double[] s = timing.wall().clone();
        Arrays.sort(s);
        return new BenchResult(benchCase, variant, s.length, items, median(s) * 1e3, s[0] * 1e3,
                s[s.length - 1] * 1e3, unit, mean(timing.cpu()) * 1e3, percentile(s, 0.95) * 1e3);
    }

    /** The nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The mean, not the median: process CPU time ticks in 10 ms steps, the mean over many repetitions resolves it. */
    private static double mean(double[] s) {
        double sum = 0;
        for (double v : s) {
            sum += v;
        }
        return sum / s.length;
    }

    private static double median(double[] s) {
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The same measurement under another case and variant name. */
    BenchResult renamed(String newCase, String newVariant) {
        return new BenchResult(newCase, newVariant, n, items, msMed, msMin, msMax, unit, cpuMsMean, msP95);
    }

    double thrMed() {
        return items / (msMed / 1e3);
    }

    double thrBest() {
        return items / (msMin / 1e3);
    }

    double thrWorst() {
        return items / (msMax / 1e3);
    }
}

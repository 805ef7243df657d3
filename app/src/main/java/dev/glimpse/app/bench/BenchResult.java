package dev.glimpse.app.bench;

import java.util.Arrays;

/** One measured variant: seconds per iteration of {@code items} samples, like pytorch_ref.py's record(). */
record BenchResult(String benchCase, String variant, int n, double items, double msMed, double msMin, double msMax,
                   String unit) {

    static BenchResult of(String benchCase, String variant, double[] seconds, double items, String unit) {
        double[] s = seconds.clone();
        Arrays.sort(s);
        double med = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        return new BenchResult(benchCase, variant, s.length, items, med * 1e3, s[0] * 1e3, s[s.length - 1] * 1e3, unit);
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

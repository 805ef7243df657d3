package dev.glimpse.app.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Prints results in pytorch_ref.py's summary layout, and our/PyTorch ratios when a reference ran. */
final class BenchTable {
    private BenchTable() {}

    static void print(PrintWriter out, String title, List<BenchResult> results) {
        out.println();
        out.println(title);
        out.println("=".repeat(140));
        out.printf("%-7s %-44s %3s %10s %10s %10s %10s %11s %-12s %9s%n", "case", "variant", "n", "ms min", "ms med",
                "ms p95", "ms max", "thr (med)", "unit", "cpu ms avg");
        out.println("-".repeat(140));
        for (BenchResult r : results) {
            out.printf("%-7s %-44s %3d %10.2f %10.2f %10s %10.2f %11.2f %-12s %9s%n", r.benchCase(),
                    r.variant().length() > 44 ? r.variant().substring(0, 44) : r.variant(), r.n(), r.msMin(), r.msMed(),
                    Double.isNaN(r.msP95()) ? "-" : String.format("%.2f", r.msP95()), r.msMax(), r.thrMed(), r.unit(),
                    Double.isNaN(r.cpuMsMean()) ? "-" : String.format("%.2f", r.cpuMsMean()));
        }
        out.println("-".repeat(140));
        out.flush();
    }

    /**
     * Ratio = our throughput / PyTorch's (for batch-1 latency cases the throughput is 1/latency, so
     * above 1.0 always means faster). Each of ours is set against PyTorch's FASTEST variant of the
     * same case and batch, the hardest comparison.
     */
    static void printRatios(PrintWriter out, List<BenchResult> ours, List<BenchResult> torch) {
        out.println();
        out.println("Glimpse / PyTorch (same machine, interleaved case by case; > 1.00 = Glimpse faster)");
        out.println("-".repeat(118));
        out.printf("%-7s %-34s %12s %-34s %12s %8s%n", "case", "glimpse variant", "glimpse", "pytorch variant (fastest)",
                "pytorch", "ratio");
        for (BenchResult r : ours) {
            Optional<BenchResult> ref = fastest(r, torch);
            if (ref.isEmpty()) {
                continue;
            }
            BenchResult t = ref.get();
            out.printf("%-7s %-34s %12.2f %-34s %12.2f %8.2f  %s%n", r.benchCase(), trim(r.variant()), r.thrMed(),
                    trim(t.variant()), t.thrMed(), r.thrMed() / t.thrMed(), r.unit());
        }
        out.println("-".repeat(118));
        out.flush();
    }

    /**
     * Rounds alternate PyTorch and Glimpse case by case; each round gives a ratio as in
     * {@link #printRatios}. Printed: the median ratio over the rounds and its range, next to the
     * median throughputs, so one slow minute on a shared machine does not decide a case.
     */
    static void printRoundRatios(PrintWriter out, List<List<BenchResult>> ours, List<List<BenchResult>> torch) {
        out.println();
        out.println("Glimpse / PyTorch over " + ours.size() + " interleaved rounds (median ratio, range; > 1.00 = Glimpse faster)");
        out.println("-".repeat(118));
        out.printf("%-7s %-34s %12s %-30s %12s %8s %15s%n", "case", "glimpse variant", "glimpse med", "pytorch variant (fastest)",
                "pytorch med", "ratio", "range");
        for (BenchResult first : ours.get(0)) {
            List<Double> ratios = new ArrayList<>();
            List<Double> ourThr = new ArrayList<>();
            List<Double> theirThr = new ArrayList<>();
            String theirVariant = "";
            for (int round = 0; round < ours.size(); round++) {
                Optional<BenchResult> mine = ours.get(round).stream()
                        .filter(x -> x.benchCase().equals(first.benchCase()) && x.variant().equals(first.variant())).findFirst();
                if (mine.isEmpty()) {
                    continue;
                }
                Optional<BenchResult> ref = fastest(mine.get(), torch.get(round));
                if (ref.isEmpty()) {
                    continue;
                }
                ratios.add(mine.get().thrMed() / ref.get().thrMed());
                ourThr.add(mine.get().thrMed());
                theirThr.add(ref.get().thrMed());
                theirVariant = ref.get().variant();
            }
            if (ratios.isEmpty()) {
                continue;
            }
            out.printf("%-7s %-34s %12.2f %-30s %12.2f %8.2f %7.2f..%-7.2f %s%n", first.benchCase(), trim(first.variant()),
                    median(ourThr), theirVariant.length() > 30 ? theirVariant.substring(0, 30) : theirVariant,
                    median(theirThr), median(ratios), ratios.stream().mapToDouble(d -> d).min().orElse(0),
                    ratios.stream().mapToDouble(d -> d).max().orElse(0), first.unit());
        }
        out.println("-".repeat(118));
        out.flush();
    }

    /** PyTorch's fastest variant of the same case and batch (for BEAM: the same width). */
    private static Optional<BenchResult> fastest(BenchResult r, List<BenchResult> torch) {
        return torch.stream()
                .filter(t -> t.benchCase().equals(r.benchCase()) && Math.abs(t.items() - r.items()) < 1e-9
                        && (!r.benchCase().equals("BEAM") || t.variant().startsWith(r.variant().substring(0, 7))))
                .max((a, b) -> Double.compare(a.thrMed(), b.thrMed()));
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(d -> d).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String trim(String s) {
        return s.length() > 34 ? s.substring(0, 34) : s;
    }
}

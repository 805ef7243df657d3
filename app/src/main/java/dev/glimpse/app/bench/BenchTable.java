package dev.glimpse.app.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/** Prints results in pytorch_ref.py's summary layout, and our/PyTorch ratios when a reference ran. */
final class BenchTable {
    private BenchTable() {}

    static void print(PrintWriter out, String title, List<BenchResult> results) {
        out.println();
        out.println(title);
        out.println("=".repeat(118));
        out.printf("%-7s %-34s %3s %10s %10s %10s %11s %26s %-12s %9s%n", "case", "variant", "n", "ms med", "ms min",
                "ms max", "thr (med)", "thr range (max..min time)", "unit", "cpu ms avg");
        out.println("-".repeat(118));
        for (BenchResult r : results) {
            out.printf("%-7s %-34s %3d %10.2f %10.2f %10.2f %11.2f %12.2f..%-12.2f %-12s %9.2f%n", r.benchCase(),
                    r.variant().length() > 34 ? r.variant().substring(0, 34) : r.variant(), r.n(), r.msMed(), r.msMin(),
                    r.msMax(), r.thrMed(), r.thrWorst(), r.thrBest(), r.unit(), r.cpuMsMean());
        }
        out.println("-".repeat(118));
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
            Optional<BenchResult> ref = torch.stream()
                    .filter(t -> t.benchCase().equals(r.benchCase()) && Math.abs(t.items() - r.items()) < 1e-9
                            && (!r.benchCase().equals("BEAM") || t.variant().startsWith(r.variant().substring(0, 7))))
                    .max((a, b) -> Double.compare(a.thrMed(), b.thrMed()));
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

    private static String trim(String s) {
        return s.length() > 34 ? s.substring(0, 34) : s;
    }
}

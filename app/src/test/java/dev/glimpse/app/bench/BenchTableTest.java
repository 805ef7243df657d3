package dev.glimpse.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchTableTest {
    private static BenchResult result(String c, String variant, double items, double msMed) {
        return new BenchResult(c, variant, 5, items, msMed, msMed, msMed, "img/s");
    }

    private static String roundRatios(List<List<BenchResult>> ours, List<List<BenchResult>> torch) {
        StringWriter s = new StringWriter();
        BenchTable.printRoundRatios(new PrintWriter(s), ours, torch);
        return s.toString();
    }

    /** Per round against PyTorch's fastest variant of that round; median over rounds, with the range. */
    @Test
    void roundRatiosAreMediansAgainstTheFastestVariantOfEachRound() {
        List<List<BenchResult>> ours = List.of(
                List.of(result("GREEDY", "batch 1, 20 tokens", 1, 20)),
                List.of(result("GREEDY", "batch 1, 20 tokens", 1, 40)),
                List.of(result("GREEDY", "batch 1, 20 tokens", 1, 25)));
        List<List<BenchResult>> torch = List.of(
                List.of(result("GREEDY", "batch 1, 20 tokens", 1, 50), result("GREEDY", "batch 1, gemv path", 1, 20)),
                List.of(result("GREEDY", "batch 1, 20 tokens", 1, 60), result("GREEDY", "batch 1, gemv path", 1, 20)),
                List.of(result("GREEDY", "batch 1, 20 tokens", 1, 80), result("GREEDY", "batch 1, gemv path", 1, 30),
                        result("GREEDY", "batch 32, 20 tokens", 32, 100)));
        String table = roundRatios(ours, torch);
        // Ratios 20/20 = 1.00, 20/40 = 0.50, 30/25 = 1.20 -> median 1.00, range 0.50..1.20.
        String row = table.lines().filter(l -> l.startsWith("GREEDY")).findFirst().orElseThrow();
        assertTrue(row.contains("batch 1, gemv path"), row);
        assertTrue(row.matches(".* 1\\.00 +0\\.50\\.\\.1\\.20 .*"), row);
        // Median throughputs: ours 1000/25 = 40.00 img/s, theirs 1000/20 = 50.00.
        assertTrue(row.contains(" 40.00 ") && row.contains(" 50.00 "), row);
        assertEquals(1, table.lines().filter(l -> l.startsWith("GREEDY")).count(), "one row per variant of ours");
    }

    @Test
    void beamWidthsAreComparedWidthForWidth() {
        List<List<BenchResult>> ours = List.of(List.of(result("BEAM", "width 3, batch 1, 20 tokens", 1, 40),
                result("BEAM", "width 5, batch 1, 20 tokens", 1, 50)));
        List<List<BenchResult>> torch = List.of(List.of(result("BEAM", "width 3, batch 1, 20 tokens", 1, 80),
                result("BEAM", "width 5, batch 1, 20 tokens", 1, 50)));
        StringWriter s = new StringWriter();
        BenchTable.printRatios(new PrintWriter(s), ours.get(0), torch.get(0));
        List<String> rows = s.toString().lines().filter(l -> l.startsWith("BEAM")).toList();
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).contains(" 2.00 "), rows.get(0));
        assertTrue(rows.get(1).contains(" 1.00 "), rows.get(1));
    }
}

package dev.glimpse.app.bench;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code glimpse bench}: the standard cases of ../shared/bench/CASES.md through Glimpse's own code
 * paths, optionally interleaved case by case with pytorch_ref.py on the same machine.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {ServeBenchCommand.class, CorpusCommand.class},
        description = "Run the standard benchmark cases (MATMUL, FE, CAP, ATT, FT, GRU, VQA, GREEDY, BEAM, VQAINF).")
public final class BenchCommand implements Callable<Integer> {
    static final List<String> ALL = List.of("MATMUL", "FE", "CAP", "ATT", "FT", "GRU", "VQA", "GREEDY", "BEAM", "VQAINF");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--only", split = ",", paramLabel = "CASE", description = "Cases to run (default: all).")
    List<String> only;

    @Option(names = "--quick", description = "Fewer repetitions (a smoke run).")
    boolean quick;

    @Option(names = "--encoder", defaultValue = "resnet50", description = "Encoder for FE (default: ${DEFAULT-VALUE}).")
    String encoder;

    @Option(names = "--compare", paramLabel = "PYTORCH_REF_PY",
            description = "Also run this pytorch_ref.py, alternating case by case, and print our/PyTorch ratios.")
    Path compare;

    @Option(names = "--elementwise-threshold", paramLabel = "N",
            description = "Experiment: ND4J runs elementwise/reduction ops on one thread below N elements (sets the environment's elementwise and TAD thresholds).")
    Integer elementwiseThreshold;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python for --compare.")
    String python;

    @Option(names = "--threads", defaultValue = "2", paramLabel = "N",
            description = "Threads for both sides: PyTorch's --threads and our OMP_NUM_THREADS (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--rounds", defaultValue = "1", paramLabel = "N",
            description = "With --compare: alternate PyTorch and Glimpse N times per case and report the median "
                    + "ratio over the rounds with its range (the machine's speed drifts; default: ${DEFAULT-VALUE}).")
    int rounds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (threads < 1 || threads > 256) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads: 1..256, got " + threads);
        }
        if (BenchEnvironment.needsRelaunch(threads)) {
            out.printf("running the benchmark in a child JVM without %s and with OMP_NUM_THREADS=%d%n",
                    BenchEnvironment.OPENBLAS_OVERRIDES, threads);
            out.flush();
            return BenchEnvironment.relaunch(spec.commandLine().getParseResult().originalArgs(), threads, out);
        }
        Set<String> cases = new LinkedHashSet<>();
        for (String c : only == null ? ALL : only) {
            String u = c.trim().toUpperCase(Locale.ROOT);
            if (!ALL.contains(u)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--only: unknown case " + c + " (known: " + ALL + ")");
            }
            cases.add(u);
        }
        var env = org.nd4j.linalg.factory.Nd4j.getEnvironment();
        if (elementwiseThreshold != null) {
            env.setElementwiseThreshold(elementwiseThreshold);
            env.setTadThreshold(elementwiseThreshold);
        }
        out.printf("ND4J elementwise threshold %d, TAD threshold %d, max threads %d%n", env.elementwiseThreshold(),
                env.tadThreshold(), env.maxThreads());
        if (rounds < 1 || rounds > 50) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rounds: 1..50, got " + rounds);
        }
        PyTorchReference torch = compare == null ? null : new PyTorchReference(compare, python, quick, threads);
        BenchCases bench = new BenchCases(quick);
        List<BenchResult> ours = new ArrayList<>();
        List<BenchResult> theirs = new ArrayList<>();
        out.printf("Glimpse benchmark (%s) -- %d cores, OMP_NUM_THREADS=%s, OPENBLAS_CORETYPE %s, OPENBLAS_L2_SIZE %s%n",
                quick ? "quick" : "full", Runtime.getRuntime().availableProcessors(),
                System.getenv().getOrDefault("OMP_NUM_THREADS", "<unset>"),
                System.getenv().getOrDefault("OPENBLAS_CORETYPE", "unset"), System.getenv().getOrDefault("OPENBLAS_L2_SIZE", "unset"));
        List<List<BenchResult>> oursByRound = new ArrayList<>();
        List<List<BenchResult>> theirsByRound = new ArrayList<>();
        int n = torch == null ? 1 : rounds;
        for (int i = 0; i < n; i++) {
            oursByRound.add(new ArrayList<>());
            theirsByRound.add(new ArrayList<>());
        }
        for (String c : cases) {
            for (int round = 0; round < n; round++) {
                String tag = n > 1 ? " round " + (round + 1) + "/" + n : "";
                if (torch != null) {
                    out.printf("[%s%s] pytorch_ref.py ...%n", c, tag);
                    out.flush();
                    // pytorch_ref.py prints some cases' neighbours too (BEAM also times GREEDY): keep
                    // only the case asked for, so each ratio pairs runs made back to back.
                    List<BenchResult> t = torch.run(c).stream().filter(x -> x.benchCase().equals(c)).toList();
                    t.forEach(r -> out.printf("  torch   %-7s %-34s %10.2f %s%n", r.benchCase(), r.variant(), r.thrMed(), r.unit()));
                    theirs.addAll(t);
                    theirsByRound.get(round).addAll(t);
                }
                out.printf("[%s%s] glimpse ...%n", c, tag);
                out.flush();
                List<BenchResult> r = run(bench, c);
                r.forEach(x -> out.printf("  glimpse %-7s %-34s %10.2f %s  (wall %.2f ms, cpu %.2f ms per iteration)%n",
                        x.benchCase(), x.variant(), x.thrMed(), x.unit(), x.msMed(), x.cpuMsMean()));
                ours.addAll(r);
                oursByRound.get(round).addAll(r);
            }
        }
        BenchTable.print(out, "Glimpse results", ours);
        if (torch != null) {
            out.printf("%nPyTorch's OpenBLAS core: %s (both sides ran without %s)%n", torch.openblasCore(),
                    BenchEnvironment.OPENBLAS_OVERRIDES);
            BenchTable.print(out, "PyTorch results (same run)", theirs);
            if (n == 1) {
                BenchTable.printRatios(out, ours, theirs);
            } else {
                BenchTable.printRoundRatios(out, oursByRound, theirsByRound);
            }
        }
        return 0;
    }

    private List<BenchResult> run(BenchCases bench, String c) throws Exception {
        return switch (c) {
            case "MATMUL" -> bench.matmul();
            case "FE" -> bench.fe(encoder);
            case "CAP" -> bench.captionTraining(false);
            case "ATT" -> bench.captionTraining(true);
            case "FT" -> bench.fineTuning();
            case "GRU" -> bench.gru();
            case "VQA" -> bench.vqaTraining();
            case "VQAINF" -> bench.vqaInference();
            case "GREEDY" -> bench.greedy();
            case "BEAM" -> bench.beam();
            default -> throw new IllegalArgumentException(c);
        };
    }
}

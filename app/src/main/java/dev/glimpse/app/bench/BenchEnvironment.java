package dev.glimpse.app.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The conditions both sides of a comparison run under (../shared/bench/CASES.md): the machine sets
 * {@code OPENBLAS_CORETYPE} and {@code OPENBLAS_L2_SIZE}, which hold OpenBLAS to its AVX2 kernels;
 * both sides run with them unset, and with the same number of threads. A JVM cannot drop variables
 * from its own environment, so the benchmark runs itself again in a child JVM when they are set.
 */
final class BenchEnvironment {
    static final List<String> OPENBLAS_OVERRIDES = List.of("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE");
    /** Set in the child so it does not relaunch again. */
    static final String CHILD_MARKER = "GLIMPSE_BENCH_CHILD";

    private BenchEnvironment() {}

    static void unsetOpenBlasOverrides(Map<String, String> env) {
        OPENBLAS_OVERRIDES.forEach(env::remove);
    }

    /** True when this process runs under the overrides or another thread count than asked, and is not already the child. */
    static boolean needsRelaunch(int threads) {
        Map<String, String> env = System.getenv();
        boolean overrides = OPENBLAS_OVERRIDES.stream().anyMatch(env::containsKey);
        boolean otherThreads = !Integer.toString(threads).equals(env.get("OMP_NUM_THREADS"));
        return !env.containsKey(CHILD_MARKER) && (overrides || otherThreads);
    }

    /**
     * Runs this JVM's main class again with {@code args}, without the overrides and with {@code threads},
     * relaying its output; OpenBLAS is asked to say which core it picked (its "Core:" line on stderr),
     * and that is printed after the child's tables. Returns the child's exit code.
     */
    static int relaunch(List<String> args, int threads, java.io.PrintWriter out) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.glimpse.app.Main");
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.INHERIT);
        unsetOpenBlasOverrides(pb.environment());
        pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
        pb.environment().put("OPENBLAS_VERBOSE", "2");
        pb.environment().put(CHILD_MARKER, "1");
        Process p = pb.start();
        java.util.Set<String> cores = new java.util.LinkedHashSet<>();
        try (var err = new java.io.BufferedReader(new java.io.InputStreamReader(p.getErrorStream()))) {
            for (String line; (line = err.readLine()) != null; ) {
                if (line.startsWith("Core: ")) {
                    cores.add(line.substring(6).trim());
                } else {
                    System.err.println(line);
                }
            }
        }
        int code = p.waitFor();
        out.printf("%nOur OpenBLAS core (ND4J's native BLAS; its GEMMs run on oneDNN): %s%n",
                cores.isEmpty() ? "not reported" : String.join(", ", cores));
        out.flush();
        return code;
    }
}

package dev.glimpse.app.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs ../shared/bench/pytorch_ref.py for one case and reads its JSON results. */
final class PyTorchReference {
    private final Path script;
    private final String python;
    private final boolean quick;
    private final int threads;
    private String openblasCore = "?";

    /** @param threads the thread count both sides run with (ours through OMP_NUM_THREADS) */
    PyTorchReference(Path script, String python, boolean quick, int threads) {
        if (!Files.isRegularFile(script)) {
            throw new GlimpseException(script + ": PyTorch reference script not found");
        }
        this.script = script;
        this.python = python;
        this.quick = quick;
        this.threads = threads;
    }

    /** The OpenBLAS core PyTorch's last run used, from its header. */
    String openblasCore() {
        return openblasCore;
    }

    List<BenchResult> run(String benchCase) throws IOException, InterruptedException {
        Path json = Files.createTempFile("pytorch-ref-", ".json");
        try {
            List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--threads", Integer.toString(threads), "--only", benchCase,
                    "--json", json.toString(), "--wait-idle", "0", "--retries", "0"));
            if (quick) {
                cmd.add("--quick");
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            // Left to itself OpenBLAS picks the kernels of this CPU; the machine's settings hold it to AVX2.
            BenchEnvironment.unsetOpenBlasOverrides(pb.environment());
            Process p = pb.start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new GlimpseException(script + ": timed out on case " + benchCase);
            }
            if (p.exitValue() != 0) {
                throw new GlimpseException(script + ": exited with " + p.exitValue() + " on case " + benchCase
                        + " (needs Debian's python3-torch python3-torchvision libopenblas0-openmp)");
            }
            JsonNode root = Json.MAPPER.readTree(json.toFile());
            openblasCore = root.path("header").path("openblas_core").asText("?");
            List<BenchResult> out = new ArrayList<>();
            for (JsonNode r : root.path("results")) {
                out.add(new BenchResult(r.get("case").asText(), r.get("variant").asText(), r.get("n").asInt(),
                        r.get("items").asDouble(), r.get("ms_med").asDouble(), r.get("ms_min").asDouble(),
                        r.get("ms_max").asDouble(), r.get("unit").asText()));
            }
            return out;
        } finally {
            Files.deleteIfExists(json);
        }
    }
}

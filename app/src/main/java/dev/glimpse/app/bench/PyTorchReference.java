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

    PyTorchReference(Path script, String python, boolean quick) {
        if (!Files.isRegularFile(script)) {
            throw new GlimpseException(script + ": PyTorch reference script not found");
        }
        this.script = script;
        this.python = python;
        this.quick = quick;
    }

    /** Same thread count as ours: OMP_NUM_THREADS when set (it also limits glimpse's native code), else 2. */
    private static String threads() {
        String omp = System.getenv("OMP_NUM_THREADS");
        return omp != null && omp.matches("[1-9][0-9]*") ? omp : "2";
    }

    List<BenchResult> run(String benchCase) throws IOException, InterruptedException {
        Path json = Files.createTempFile("pytorch-ref-", ".json");
        try {
            List<String> cmd = new ArrayList<>(List.of(python, script.toString(), "--threads", threads(), "--only", benchCase,
                    "--json", json.toString(), "--wait-idle", "0", "--retries", "0"));
            if (quick) {
                cmd.add("--quick");
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new GlimpseException(script + ": timed out on case " + benchCase);
            }
            if (p.exitValue() != 0) {
                throw new GlimpseException(script + ": exited with " + p.exitValue() + " on case " + benchCase
                        + " (needs Debian's python3-torch python3-torchvision libopenblas0-openmp)");
            }
            JsonNode root = Json.MAPPER.readTree(json.toFile());
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

package dev.glimpse.spark;

import com.fasterxml.jackson.databind.JsonNode;
import dev.glimpse.app.DistributedTraining;
import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.train.DataParallel;
import dev.glimpse.common.train.TrainingLoop;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import picocli.CommandLine;

/**
 * The training tasks of one executor JVM. Making one reads the data files and opens the feature cache
 * (seconds to minutes on COCO), so a run's tasks stay open between steps: a slice borrows an idle one
 * of its run or makes one. A task serves one slice at a time (its network is not thread-safe); one
 * whose slice failed is closed, never given back, so a retried attempt starts from a clean task.
 * Workers of an older run are closed when a newer run's first slice arrives.
 */
final class TrainWorkers {
    private static final Deque<DistributedTraining.Worker> IDLE = new ArrayDeque<>();
    private static String currentRun;

    private TrainWorkers() {}

    /** A slice's weighted gradients with these parameters. */
    static GradientSum slice(WorkerSpec spec, float[] params, int epoch, int batch, int from, int to) {
        long t0 = System.nanoTime();
        DistributedTraining.Worker w = borrow(spec);
        boolean ok = false;
        try {
            DataParallel.Slice slice = DataParallel.slice(w.task(), params, epoch, batch, from, to);
            GradientSum g = GradientSum.of(slice, System.nanoTime() - t0);
            ok = true;
            return g;
        } finally {
            if (ok) {
                giveBack(spec, w);
            } else {
                close(w);
            }
        }
    }

    private static DistributedTraining.Worker borrow(WorkerSpec spec) {
        List<DistributedTraining.Worker> stale = new ArrayList<>();
        DistributedTraining.Worker found = null;
        synchronized (IDLE) {
            if (!spec.runId().equals(currentRun)) {
                stale.addAll(IDLE);
                IDLE.clear();
                currentRun = spec.runId();
            } else {
                found = IDLE.pollFirst();
            }
        }
        stale.forEach(TrainWorkers::close);
        return found != null ? found : open(spec);
    }

    private static void giveBack(WorkerSpec spec, DistributedTraining.Worker w) {
        synchronized (IDLE) {
            if (spec.runId().equals(currentRun)) {
                IDLE.addLast(w);
                return;
            }
        }
        close(w);
    }

    /** The driver's task, made here from the same command line and the driver's model; its resume keys must match. */
    static DistributedTraining.Worker open(WorkerSpec spec) {
        Backend.init(); // before ND4J loads in this executor
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        CommandLine cl = SparkTrainCommands.command(spec.model(), TrainingLoop.GradientsFactory.LOCAL, new SparkTrainOptions());
        cl.parseArgs(spec.args());
        Path start;
        try {
            start = Files.createTempFile("glimpse-train-" + spec.runId(), ".zip");
            Files.write(start, spec.start());
        } catch (IOException e) {
            throw new UncheckedIOException("worker: cannot write the driver's model to a temp file", e);
        }
        try {
            DistributedTraining.Worker w = DistributedTraining.worker(cl, ModelBundle.read(start), start, quiet);
            List<String> diffs;
            try {
                JsonNode mine = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(w.task().resumeKeys()));
                diffs = TrainingLoop.differences(Json.MAPPER.readTree(spec.resumeKeys()), mine);
            } catch (IOException e) {
                close(w);
                throw new UncheckedIOException(e);
            }
            if (!diffs.isEmpty()) {
                close(w);
                throw new GlimpseException("worker on " + host() + " reads other data than the driver: "
                        + String.join("; ", diffs) + " (driver -> worker); every node must see the same files at the same paths");
            }
            return w;
        } finally {
            try {
                Files.deleteIfExists(start);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "a worker";
        }
    }

    private static void close(DistributedTraining.Worker w) {
        try {
            w.close();
        } catch (Exception ignored) {
            // closing a cache handle cannot lose anything
        }
    }
}

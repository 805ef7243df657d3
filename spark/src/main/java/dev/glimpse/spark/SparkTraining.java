package dev.glimpse.spark;

import dev.glimpse.common.io.Json;
import dev.glimpse.common.train.TrainingLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The driver's side of a training run on Spark, made once its task exists (new or resumed): the
 * task's model at this point and the command line go to the workers in one broadcast, and every
 * step is a {@link SparkGradients} job.
 */
final class SparkTraining implements TrainingLoop.GradientsFactory {
    private final Supplier<JavaSparkContext> context;
    private final String model;
    private final String[] args;
    private final SparkTrainOptions options;
    private final BeforeSlice beforeSlice;
    final StepStats stats = new StepStats();

    SparkTraining(Supplier<JavaSparkContext> context, String model, String[] args, SparkTrainOptions options,
                  BeforeSlice beforeSlice) {
        this.context = context;
        this.model = model;
        this.args = args.clone();
        this.options = options;
        this.beforeSlice = beforeSlice;
    }

    @Override
    public TrainingLoop.Gradients create(TrainingLoop.Task task) {
        JavaSparkContext sc = context.get();
        int slices = options.slices(sc.defaultParallelism());
        byte[] start;
        String keys;
        try {
            Path tmp = Files.createTempFile("glimpse-start", ".zip");
            try {
                task.model(task.newRecord()).write(tmp);
                start = Files.readAllBytes(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
            keys = Json.MAPPER.writeValueAsString(task.resumeKeys());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the model the workers start from", e);
        }
        WorkerSpec spec = new WorkerSpec(UUID.randomUUID().toString(), model, args, start, keys);
        sc.sc().addSparkListener(stats);
        return new SparkGradients(sc, task, sc.broadcast(spec), slices, beforeSlice, stats);
    }

    /** Stops counting (the listener stays registered otherwise). */
    void finish() {
        JavaSparkContext sc = context.get();
        sc.sc().removeSparkListener(stats);
    }
}

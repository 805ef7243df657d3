package dev.glimpse.spark;

import dev.glimpse.common.train.DataParallel;
import dev.glimpse.common.train.TrainingLoop;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * One synchronous data-parallel step per call: the driver broadcasts the flat parameters, each task
 * computes the count-weighted gradient of its slice of the global batch with Glimpse's own kernels,
 * {@code treeAggregate} sums them, and the mean lands in the driver's gradient buffers, where the
 * training loop clips, applies Adam, validates and checkpoints as on one machine.
 */
final class SparkGradients implements TrainingLoop.Gradients {
    private final JavaSparkContext sc;
    private final TrainingLoop.Task task;
    private final Broadcast<WorkerSpec> spec;
    private final int slices;
    private final BeforeSlice beforeSlice;
    final StepStats stats;

    SparkGradients(JavaSparkContext sc, TrainingLoop.Task task, Broadcast<WorkerSpec> spec, int slices,
                   BeforeSlice beforeSlice, StepStats stats) {
        this.sc = sc;
        this.task = task;
        this.spec = spec;
        this.slices = slices;
        this.beforeSlice = beforeSlice;
        this.stats = stats;
    }

    @Override
    public TrainingLoop.StepLoss compute(int epoch, int batch) {
        long t0 = System.nanoTime();
        List<TrainingLoop.ParamGroup> groups = task.parameters();
        float[] flat = DataParallel.parameters(groups);
        Broadcast<float[]> params = sc.broadcast(flat);
        int[] bounds = DataParallel.bounds(task.batchSize(epoch, batch), slices);
        List<Integer> ids = new ArrayList<>();
        for (int s = 0; s + 1 < bounds.length; s++) {
            ids.add(s);
        }
        Broadcast<WorkerSpec> specHandle = spec;
        BeforeSlice hook = beforeSlice;
        GradientSum sum;
        try {
            sum = sc.parallelize(ids, ids.size())
                    .map(s -> {
                        hook.run(epoch, batch, s);
                        return TrainWorkers.slice(specHandle.value(), params.value(), epoch, batch, bounds[s], bounds[s + 1]);
                    })
                    .treeAggregate(GradientSum.ZERO, GradientSum::plus, GradientSum::plus);
        } finally {
            params.destroy();
        }
        DataParallel.loadMeanGradient(groups, sum.total(), sum.count);
        stats.step(ids.size(), 4L * flat.length, System.nanoTime() - t0, sum.slowestNanos);
        return new TrainingLoop.StepLoss(sum.lossSum, sum.count);
    }
}

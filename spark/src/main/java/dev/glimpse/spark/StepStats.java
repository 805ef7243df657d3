package dev.glimpse.spark;

import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * What the distributed steps of a run cost: steps, slices, seconds, the parameter bytes broadcast
 * and the task result bytes (the slices' gradients) that Spark's task metrics report.
 */
final class StepStats extends SparkListener {
    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong slices = new AtomicLong();
    private final AtomicLong nanos = new AtomicLong();
    private final AtomicLong paramBytes = new AtomicLong();
    private final AtomicLong resultBytes = new AtomicLong();
    private final AtomicLong failedTasks = new AtomicLong();

    void step(int slices, long paramBytes, long nanos) {
        steps.incrementAndGet();
        this.slices.addAndGet(slices);
        this.paramBytes.addAndGet(paramBytes);
        this.nanos.addAndGet(nanos);
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() != null && end.reason() instanceof org.apache.spark.Success$) {
            resultBytes.addAndGet(end.taskMetrics().resultSize());
        } else {
            failedTasks.incrementAndGet();
        }
    }

    long steps() {
        return steps.get();
    }

    long failedTasks() {
        return failedTasks.get();
    }

    String summary() {
        long n = Math.max(1, steps.get());
        return String.format("spark: %d steps of %.1f slices, %.3f s per step; per step %.2f MB of parameters broadcast,"
                        + " %.2f MB of gradients returned by the tasks; %d failed task attempts (retried)",
                steps.get(), (double) slices.get() / n, nanos.get() / 1e9 / n, paramBytes.get() / 1e6 / n,
                resultBytes.get() / 1e6 / n, failedTasks.get());
    }
}

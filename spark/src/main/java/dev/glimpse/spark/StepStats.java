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
    private final AtomicLong firstNanos = new AtomicLong();
    private final AtomicLong slowestSliceNanos = new AtomicLong();
    private final AtomicLong paramBytes = new AtomicLong();
    private final AtomicLong resultBytes = new AtomicLong();
    private final AtomicLong failedTasks = new AtomicLong();

    /**
     * @param nanos        the whole step on the driver: broadcast, job, sum, mean
     * @param slowestSlice the slowest task's own time in that step
     */
    void step(int slices, long paramBytes, long nanos, long slowestSlice) {
        if (steps.incrementAndGet() == 1) {
            firstNanos.set(nanos); // includes opening the workers
            return;
        }
        slowestSliceNanos.addAndGet(slowestSlice);
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

    /** Figures per step; the first step, which opens the workers, apart. */
    String summary() {
        long n = Math.max(1, steps.get() - 1);
        return String.format("spark: %d steps of %.1f slices, %.3f s per step after the first (%.1f s, opening the workers),"
                        + " of which %.3f s in the slowest task; per step %.2f MB of parameters broadcast,"
                        + " %.2f MB of gradients returned by the tasks; %d failed task attempts (retried)",
                steps.get(), (double) slices.get() / n, nanos.get() / 1e9 / n, firstNanos.get() / 1e9,
                slowestSliceNanos.get() / 1e9 / n, paramBytes.get() / 1e6 / n, resultBytes.get() / 1e6 / Math.max(1, steps.get()),
                failedTasks.get());
    }
}

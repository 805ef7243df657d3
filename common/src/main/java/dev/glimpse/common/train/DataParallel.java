package dev.glimpse.common.train;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.nn.Params;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Synchronous data parallelism without the cluster: a batch cut into slices, each worker's slice
 * gradient weighted by its count (the slice's mean-loss gradient times its tokens or questions is the
 * gradient of its summed loss), the sum over workers divided by the total count on the driver. That
 * is the gradient of the whole batch's mean loss, equal to one machine's up to the order of float
 * additions. Parameters and gradients travel as one flat float array over all groups, in group order.
 */
public final class DataParallel {
    private DataParallel() {}

    /** Slice bounds of {@code items} over at most {@code workers}: slice s is {@code [b[s], b[s+1])}, sizes differ by at most 1. */
    public static int[] bounds(int items, int workers) {
        int slices = Math.max(1, Math.min(items, workers));
        int[] b = new int[slices + 1];
        for (int s = 0; s <= slices; s++) {
            b[s] = (int) ((long) items * s / slices);
        }
        return b;
    }

    /** All groups' parameters, one after the other. */
    public static float[] parameters(List<TrainingLoop.ParamGroup> groups) {
        float[] out = new float[Math.toIntExact(size(groups))];
        int at = 0;
        for (TrainingLoop.ParamGroup g : groups) {
            float[] p = g.params().toFloatArray();
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** Sets every group's parameters from {@link #parameters}' layout. */
    public static void load(List<TrainingLoop.ParamGroup> groups, float[] flat) {
        check(groups, flat.length, "parameters");
        int at = 0;
        for (TrainingLoop.ParamGroup g : groups) {
            int n = Math.toIntExact(g.params().size());
            float[] p = new float[n];
            System.arraycopy(flat, at, p, 0, n);
            g.params().copyFrom(p);
            at += n;
        }
    }

    /**
     * One worker's share: the task's parameters set to {@code flat}, the gradients of items
     * {@code [from, to)} of the batch computed, and returned times the slice's count. The task's random
     * generators (dropout masks) are first set to where this slice's own stream starts ({@link #slicePositions}),
     * so the masks depend on the slice, not on which worker ran it or what it ran before: a retried slice and a
     * resumed run draw what the first attempt and the uninterrupted run drew.
     */
    public static Slice slice(TrainingLoop.Task task, float[] flat, int epoch, int batch, int from, int to) {
        List<TrainingLoop.ParamGroup> groups = task.parameters();
        load(groups, flat);
        for (TrainingLoop.ParamGroup g : groups) {
            g.params().zeroGrad();
        }
        long[] random = task.randomState();
        if (random != null) {
            task.restoreRandomState(slicePositions(random.length, epoch, batch, from));
        }
        TrainingLoop.StepLoss loss = task.step(epoch, batch, from, to);
        float[] out = new float[flat.length];
        int at = 0;
        for (TrainingLoop.ParamGroup g : groups) {
            float[] grad = g.params().flatGrad().castTo(DataType.FLOAT).data().asFloat();
            for (int i = 0; i < grad.length; i++) {
                out[at + i] = grad[i] * loss.count();
            }
            at += grad.length;
        }
        return new Slice(out, loss.sum(), loss.count());
    }

    /**
     * Start positions of {@code generators} random streams for the slice of {@code batch} in {@code epoch} that starts at
     * item {@code from}: SplitMix64 (the JDK's {@link SplittableRandom}) of the three, one per generator, as non-negative
     * longs. The streams are counters into a 2^64-long sequence, so starts this far apart do not overlap within a
     * slice's draws.
     */
    static long[] slicePositions(int generators, int epoch, int batch, int from) {
        long seed = new SplittableRandom(new SplittableRandom(epoch).nextLong() + batch).nextLong() + from;
        SplittableRandom random = new SplittableRandom(seed);
        long[] out = new long[generators];
        for (int g = 0; g < generators; g++) {
            out[g] = random.nextLong() & Long.MAX_VALUE;
        }
        return out;
    }

    /** A worker's weighted gradient sum and loss. */
    public record Slice(float[] weightedGradient, double lossSum, long count) {}

    /** Sets every group's gradients to {@code weightedSum / count}: the batch's mean-loss gradients. */
    public static void loadMeanGradient(List<TrainingLoop.ParamGroup> groups, double[] weightedSum, long count) {
        check(groups, weightedSum.length, "gradients");
        if (count <= 0) {
            throw new GlimpseException("data-parallel step: the workers' slices hold no " + "items (count " + count + ")");
        }
        int at = 0;
        for (TrainingLoop.ParamGroup g : groups) {
            Params p = g.params();
            int n = Math.toIntExact(p.size());
            float[] mean = new float[n];
            for (int i = 0; i < n; i++) {
                mean[i] = (float) (weightedSum[at + i] / count);
            }
            p.flatGrad().assign(Nd4j.createFromArray(mean).reshape(1, n).castTo(p.dataType()));
            at += n;
        }
    }

    private static long size(List<TrainingLoop.ParamGroup> groups) {
        long n = 0;
        for (TrainingLoop.ParamGroup g : groups) {
            n += g.params().size();
        }
        return n;
    }

    private static void check(List<TrainingLoop.ParamGroup> groups, int length, String what) {
        if (length != size(groups)) {
            throw new GlimpseException("data-parallel step: " + length + " " + what + " received, the model has "
                    + size(groups) + " (driver and workers disagree on the model)");
        }
    }
}

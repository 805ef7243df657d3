package dev.glimpse.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.nn.Init;
import dev.glimpse.common.nn.Params;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The loop on a toy task: least squares y = w . x over 24 points, 6 batches of 4 per epoch. */
class TrainingLoopTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    /** A task whose step can be made to fail (a crash) or to return a NaN loss at a given global step. */
    static class Toy implements TrainingLoop.Task {
        final Params params;
        final int dim;
        long steps;
        long crashAt = -1;
        long nanAt = -1;

        Toy(int dim, ModelBundle checkpoint) {
            this.dim = dim;
            params = Params.builder().add("w", 1, dim, Init.zeros()).dataType(DataType.FLOAT).build(1);
            if (checkpoint != null) {
                params.copyFrom(checkpoint.floats("w"));
            }
        }

        static double[] x(int i) {
            return new double[] {1, i % 3, (i * 7) % 5 - 2, Math.sin(i)};
        }

        static double y(int i) {
            double[] x = x(i);
            return 0.5 * x[0] - 1.5 * x[1] + 0.25 * x[2] + 2 * x[3];
        }

        @Override
        public String title() {
            return "toy";
        }

        @Override
        public String unit() {
            return "points";
        }

        @Override
        public List<TrainingLoop.ParamGroup> parameters() {
            return List.of(new TrainingLoop.ParamGroup("w", params, 1.0));
        }

        @Override
        public Map<String, Object> resumeKeys() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("dim", dim);
            return m;
        }

        @Override
        public TrainingRecord newRecord() {
            return TrainingRecord.start("toy", Map.of(), List.of(), 1, "none", false);
        }

        @Override
        public int batches(int epoch) {
            return 6;
        }

        @Override
        public int batchSize(int epoch, int batch) {
            return 4;
        }

        @Override
        public TrainingLoop.StepLoss step(int epoch, int batch, int from, int to) {
            if (steps == crashAt) {
                throw new IllegalStateException("simulated crash");
            }
            INDArray w = params.get("w");
            INDArray g = params.grad("w");
            double loss = 0;
            // epoch-dependent order, so a resumed run must replay it exactly
            for (int k = from; k < to; k++) {
                int i = (batch * 4 + k + 5 * epoch) % 24;
                double[] x = x(i);
                double pred = 0;
                for (int d = 0; d < dim; d++) {
                    pred += w.getDouble(0, d) * x[d];
                }
                double err = pred - y(i);
                loss += err * err;
                for (int d = 0; d < dim; d++) {
                    g.putScalar(0, d, g.getDouble(0, d) + 2 * err * x[d] / (to - from));
                }
            }
            return new TrainingLoop.StepLoss(steps++ == nanAt ? Double.NaN : loss, to - from);
        }

        @Override
        public TrainingLoop.Validation validate(int epoch) {
            double sum = 0;
            INDArray w = params.get("w");
            for (int i = 0; i < 24; i++) {
                double pred = 0;
                for (int d = 0; d < dim; d++) {
                    pred += w.getDouble(0, d) * x(i)[d];
                }
                sum += (pred - y(i)) * (pred - y(i));
            }
            return new TrainingLoop.Validation(-sum / 24, sum / 24, Map.of("mse", sum / 24), "mse " + sum / 24);
        }

        @Override
        public ModelBundle.Writer model(TrainingRecord record) {
            return ModelBundle.writer("toy").json("training", record).floats("w", params.toFloatArray());
        }
    }

    private static TrainingLoop.Settings settings(int epochs, int checkpointEvery) {
        return new TrainingLoop.Settings(epochs, new LearningRateSchedule.Constant(0.2), 5.0, 0, checkpointEvery, false);
    }

    private TrainingLoop.Result run(Path out, int epochs, boolean resume, Toy[] made, long crashAt, long nanAt)
            throws Exception {
        return run(out, epochs, 4, resume, made, crashAt, nanAt);
    }

    private TrainingLoop.Result run(Path out, int epochs, int checkpointEvery, boolean resume, Toy[] made, long crashAt,
                                    long nanAt) throws Exception {
        return TrainingLoop.run(settings(epochs, checkpointEvery), Checkpoints.beside(out), resume, (ckpt, file) -> {
            made[0] = new Toy(4, ckpt);
            made[0].crashAt = crashAt;
            made[0].nanAt = nanAt;
            return made[0];
        }, new PrintWriter(new StringWriter(), true));
    }

    @Test
    void learnsAndAResumedRunEqualsAnUninterruptedOne() throws Exception {
        Toy[] t = new Toy[1];
        TrainingLoop.Result straight = run(dir.resolve("a.zip"), 4, false, t, -1, -1);
        float[] want = t[0].params.toFloatArray();
        assertTrue(straight.history().get(3).trainLoss() < 0.2 * straight.history().get(0).trainLoss(), "loss falls");
        assertTrue(straight.bestEpoch() >= 3 && Files.isRegularFile(Checkpoints.beside(dir.resolve("a.zip")).best()), "best " + straight.bestEpoch());

        Path b = dir.resolve("b.zip");
        // crash in epoch 3 after 2 of its batches; the last checkpoint was written after step 16 (epoch 3, batch 4 of 6)
        assertThrows(IllegalStateException.class, () -> run(b, 4, false, t, 14, -1));
        TrainingLoop.Result resumed = run(b, 4, true, t, -1, -1);
        assertArrayEquals(want, t[0].params.toFloatArray(), 1e-6f);
        assertEquals(4, resumed.history().size());
        for (int e = 0; e < 4; e++) {
            assertEquals(straight.history().get(e).trainLoss(), resumed.history().get(e).trainLoss(), 1e-6 * straight.history().get(e).trainLoss());
            assertEquals(straight.history().get(e).iteration(), resumed.history().get(e).iteration());
        }
    }

    /** A toy with a recurrence-like gradient flow: batch b reports |dL/dh_t| = (b + 1) * (t + 1) over 2 + b % 2 steps. */
    static final class FlowToy extends Toy {
        boolean recording;
        int lastBatch;
        int recordedSteps;

        FlowToy(ModelBundle checkpoint) {
            super(4, checkpoint);
        }

        @Override
        public TrainingLoop.StepLoss step(int epoch, int batch) {
            lastBatch = batch;
            if (recording) {
                recordedSteps++;
            }
            return super.step(epoch, batch);
        }

        @Override
        public void recordGradientFlow(boolean on) {
            recording = on;
        }

        @Override
        public double[] gradientFlow() {
            if (!recording) {
                return null;
            }
            double[] f = new double[2 + lastBatch % 2];
            for (int t = 0; t < f.length; t++) {
                f[t] = (lastBatch + 1) * (t + 1.0);
            }
            return f;
        }
    }

    @Test
    void recordsGradientFlowAndTheNormWithoutClippingAndDrawsIt() throws Exception {
        Path out = dir.resolve("flow.zip");
        FlowToy[] made = new FlowToy[1];
        StringWriter log = new StringWriter();
        TrainingLoop.Result r = TrainingLoop.run(new TrainingLoop.Settings(2, new LearningRateSchedule.Constant(0.2), 0,
                0, 0, false), Checkpoints.beside(out), false, (ckpt, file) -> made[0] = new FlowToy(ckpt),
                new PrintWriter(log, true));
        // 6 batches, all sampled: step 0 and 1 average (1..6)*(t+1); step 2 only the odd batches 2, 4, 6
        assertEquals(12, made[0].recordedSteps);
        for (EpochMetrics m : r.history()) {
            assertEquals(List.of(3.5, 7.0, 12.0), m.gradFlow());
            assertTrue(m.validation().get("gradNormMean") > 0, m.validation().toString());
            assertTrue(!m.validation().containsKey("clippedFraction"), "clipping is off");
        }
        assertTrue(Files.size(Checkpoints.beside(out).gradientFlow()) > 1000);
        assertTrue(log.toString().contains("|dL/dh_t| t=0 3.5, t=2 12"), log.toString());
        String summary = GradientFlowPlot.summary(r.history());
        assertTrue(summary.startsWith("epoch 2: gradient norm before clipping"), summary);
        assertTrue(summary.contains("12.0 at t=2, 3.50 at t=0"), summary);
    }

    @Test
    void aNonFiniteLossStopsTheRunAndLeavesTheLastGoodFiles() throws Exception {
        Toy[] t = new Toy[1];
        Path out = dir.resolve("nan.zip");
        Checkpoints files = Checkpoints.beside(out);
        run(out, 1, false, t, -1, -1);
        byte[] best = Files.readAllBytes(files.best());
        byte[] ckpt = Files.readAllBytes(files.latest());
        // epoch-end checkpoints only: the last good files are those of epoch 1
        GlimpseException e = assertThrows(GlimpseException.class, () -> run(out, 3, 0, true, t, -1, 2));
        assertTrue(e.getMessage().contains("non-finite loss") && e.getMessage().contains("epoch 2, batch 3"), e.getMessage());
        assertArrayEquals(best, Files.readAllBytes(files.best()));
        assertArrayEquals(ckpt, Files.readAllBytes(files.latest()));
    }

    @Test
    void resumeNeedsTheSameRunAndACheckpoint() throws Exception {
        Toy[] t = new Toy[1];
        GlimpseException none = assertThrows(GlimpseException.class, () -> run(dir.resolve("none.zip"), 2, true, t, -1, -1));
        assertTrue(none.getMessage().contains("no checkpoint to resume from"), none.getMessage());
        Path out = dir.resolve("c.zip");
        run(out, 1, false, t, -1, -1);
        GlimpseException other = assertThrows(GlimpseException.class, () -> TrainingLoop.run(settings(2, 0),
                Checkpoints.beside(out), true, (ckpt, file) -> new Toy(4, ckpt) {
                    @Override
                    public Map<String, Object> resumeKeys() {
                        return Map.of("dim", 5);
                    }
                }, new PrintWriter(new StringWriter(), true)));
        assertTrue(other.getMessage().contains("dim 4 -> 5"), other.getMessage());
        assertFalse(other.getMessage().contains("Exception"));
    }
}

package dev.glimpse.common.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.glimpse.common.Backend;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workers on slices of each batch, their weighted gradients summed, against one machine on the toy task. */
class DataParallelTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @Test
    void boundsCoverTheBatchInNearlyEqualSlices() {
        assertArrayEquals(new int[] {0, 2, 4, 7}, DataParallel.bounds(7, 3));
        assertArrayEquals(new int[] {0, 1, 2}, DataParallel.bounds(2, 5), "never an empty slice");
        assertArrayEquals(new int[] {0, 4}, DataParallel.bounds(4, 1));
    }

    /** Three workers, each its own task, see only the parameters sent and their slice. */
    private static TrainingLoop.GradientsFactory workers(int n) {
        TrainingLoopTest.Toy[] workers = new TrainingLoopTest.Toy[n];
        for (int i = 0; i < n; i++) {
            workers[i] = new TrainingLoopTest.Toy(4, null);
        }
        return driver -> (epoch, batch) -> {
            float[] flat = DataParallel.parameters(driver.parameters());
            int[] b = DataParallel.bounds(driver.batchSize(epoch, batch), n);
            double[] sum = new double[flat.length];
            double loss = 0;
            long count = 0;
            for (int s = 0; s + 1 < b.length; s++) {
                DataParallel.Slice slice = DataParallel.slice(workers[s], flat, epoch, batch, b[s], b[s + 1]);
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += slice.weightedGradient()[i];
                }
                loss += slice.lossSum();
                count += slice.count();
            }
            DataParallel.loadMeanGradient(driver.parameters(), sum, count);
            return new TrainingLoop.StepLoss(loss, count);
        };
    }

    private float[] train(String name, TrainingLoop.GradientsFactory gradients) throws Exception {
        TrainingLoopTest.Toy[] made = new TrainingLoopTest.Toy[1];
        TrainingLoop.run(new TrainingLoop.Settings(3, new LearningRateSchedule.Constant(0.05), 5.0, 0, 0, false),
                Checkpoints.beside(dir.resolve(name)), false, (ckpt, file) -> made[0] = new TrainingLoopTest.Toy(4, ckpt),
                gradients, new PrintWriter(new StringWriter(), true));
        return made[0].params.toFloatArray();
    }

    @Test
    void slicedStepsReachTheParametersOfOneMachine() throws Exception {
        float[] one = train("one.zip", TrainingLoop.GradientsFactory.LOCAL);
        float[] three = train("three.zip", workers(3));
        float[] initial = new TrainingLoopTest.Toy(4, null).params.toFloatArray();
        assertNotEquals(Arrays.toString(initial), Arrays.toString(one), "18 steps moved the parameters");
        for (int i = 0; i < one.length; i++) {
            assertEquals(one[i], three[i], 1e-5 * Math.max(1, Math.abs(one[i])), "parameter " + i);
        }
    }
}

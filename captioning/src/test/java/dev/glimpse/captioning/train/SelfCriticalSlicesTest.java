package dev.glimpse.captioning.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.train.DataParallel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A self-critical batch cut into slices (Spark's workers) gives the gradients of the whole batch. */
class SelfCriticalSlicesTest {
    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @TempDir
    Path dir;

    @Test
    void slicesOfASelfCriticalBatchSumToTheWholeBatch() throws IOException {
        SyntheticCaptions data = new SyntheticCaptions(16, 4, 2); // 3 captions per image
        Path source = dir.resolve("synthetic.txt");
        Files.writeString(source, "synthetic scenes for tests\n");
        CaptionTrainingConfig cfg = CaptionTrainerTest.tiny().selfCriticalAfter(0).build();
        CaptionTask task = CaptionTask.create(cfg, data.dataset(source), data.new Features("synthetic"), null, null);
        float[] flat = DataParallel.parameters(task.parameters());
        int n = task.batchSize(0, 1);
        DataParallel.Slice whole = DataParallel.slice(task, flat, 0, 1, 0, n);
        // Cuts inside an image's captions: each image is sampled in the slice holding its first caption only.
        int[] cuts = {0, 1, 4, n};
        double[] sum = new double[flat.length];
        long count = 0;
        double loss = 0;
        for (int s = 0; s + 1 < cuts.length; s++) {
            DataParallel.Slice slice = DataParallel.slice(task, flat, 0, 1, cuts[s], cuts[s + 1]);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += slice.weightedGradient()[i];
            }
            count += slice.count();
            loss += slice.lossSum();
        }
        assertEquals(6, n, "two images of three captions");
        assertEquals(whole.count(), count, "the same sampled tokens");
        assertEquals(whole.lossSum(), loss, 1e-4 * Math.max(1, Math.abs(whole.lossSum())));
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < sum.length; i++) {
            scale = Math.max(scale, Math.abs(whole.weightedGradient()[i]));
            diff = Math.max(diff, Math.abs(whole.weightedGradient()[i] - sum[i]));
        }
        assertTrue(scale > 0, "a gradient");
        assertTrue(diff <= 1e-4 * scale, "max difference " + diff + " of " + scale);
    }
}

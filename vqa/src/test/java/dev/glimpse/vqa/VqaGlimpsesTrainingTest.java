package dev.glimpse.vqa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.train.Checkpoints;
import dev.glimpse.common.train.LearningRateSchedule;
import dev.glimpse.vqa.eval.VqaEvaluator;
import dev.glimpse.vqa.net.VqaNet;
import dev.glimpse.vqa.net.VqaNetConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A task only the grid answers: every image holds two things of different colours and shapes in two of its four
 * cells, and "what color is the ball?" needs the colour in the ball's cell. The pooled vector (the grid mean) holds
 * both colours and both shapes with nothing to say which goes with which; the glimpses find the cell.
 */
class VqaGlimpsesTrainingTest {
    static final String[] COLORS = {"red", "green", "blue", "yellow"};
    static final String[] SHAPES = {"ball", "box", "cone", "ring"};
    static final int IMAGES = 96;
    static final int CELLS = 4;
    static final int DIM = 8; // colour one-hot 0..3, shape one-hot 4..7

    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    /** Per image: the cells of its two things, their colours and shapes. */
    static final class TwoThings implements FeatureSource {
        final int[][] cell = new int[IMAGES][2];
        final int[][] color = new int[IMAGES][2];
        final int[][] shape = new int[IMAGES][2];
        final float[][] grid = new float[IMAGES][CELLS * DIM];
        final EncoderInfo info = new EncoderInfo("toy", DIM, 2, 2, DIM, PreprocessSpec.plainRgb(8), true,
                "random-init seed=1", null, "g", "mean(g)", "none");

        TwoThings() {
            SplittableRandom rng = new SplittableRandom(3);
            for (int i = 0; i < IMAGES; i++) {
                cell[i][0] = rng.nextInt(CELLS);
                cell[i][1] = (cell[i][0] + 1 + rng.nextInt(CELLS - 1)) % CELLS;
                color[i][0] = rng.nextInt(4);
                color[i][1] = (color[i][0] + 1 + rng.nextInt(3)) % 4;
                shape[i][0] = rng.nextInt(4);
                shape[i][1] = (shape[i][0] + 1 + rng.nextInt(3)) % 4;
                for (int k = 0; k < 2; k++) {
                    grid[i][cell[i][k] * DIM + color[i][k]] = 1;
                    grid[i][cell[i][k] * DIM + 4 + shape[i][k]] = 1;
                }
                for (int d = 0; d < grid[i].length; d++) {
                    grid[i][d] += (float) (0.05 * rng.nextDouble());
                }
            }
        }

        @Override
        public EncoderInfo info() {
            return info;
        }

        @Override
        public boolean contains(long id) {
            return id >= 0 && id < IMAGES;
        }

        @Override
        public INDArray grid(long[] ids) {
            float[][] out = new float[ids.length][];
            for (int i = 0; i < ids.length; i++) {
                out[i] = grid[(int) ids[i]];
            }
            return Nd4j.createFromArray(out).reshape(ids.length, CELLS, DIM); // [B, R, C]
        }

        @Override
        public INDArray pooled(long[] ids) {
            return grid(ids).mean(1); // [B, F]
        }
    }

    static List<VqaItem> items(TwoThings t) {
        List<VqaItem> out = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            for (int k = 0; k < 2; k++) {
                out.add(new VqaItem(i * 10L + k, i, "What color is the " + SHAPES[t.shape[i][k]] + "?", "what color is the",
                        "other", Collections.nCopies(10, COLORS[t.color[i][k]])));
            }
        }
        return out;
    }

    static VqaTrainConfig config(int glimpses) {
        return VqaTrainConfig.defaults().withEpochs(20).withBatchSize(16).withSizes(8, 16, 1, 32)
                .withLearningRate(new LearningRateSchedule.Constant(0.01)).withDropout(0).withAnswers(20)
                .withGlimpses(glimpses, 16);
    }

    @Test
    void glimpsesBindColourToShapeWhereThePooledVectorCannot() throws Exception {
        TwoThings features = new TwoThings();
        List<VqaItem> train = items(features);
        StringWriter logText = new StringWriter();
        PrintWriter log = new PrintWriter(logText, true);
        Checkpoints files = Checkpoints.beside(dir.resolve("glimpses.zip"));
        VqaTrainer.Result attending = new VqaTrainer(config(1), log, false).train(train, train, features, List.of(), files, false);
        VqaTrainer.Result pooled = new VqaTrainer(config(0), log, false)
                .train(train, train, features, List.of(), Checkpoints.beside(dir.resolve("pooled.zip")), false);
        double withGlimpses = accuracy(attending.best(), train, features, files.best());
        double baseline = accuracy(pooled.best(), train, features, dir.resolve("pooled.zip"));
        assertTrue(baseline < 75, "pooled baseline " + baseline);
        assertTrue(withGlimpses > 95, "glimpses " + withGlimpses + " (baseline " + baseline + ")");

        // the model file carries the glimpses and answers the same after loading
        VqaModel loaded = VqaModel.load(files.best());
        assertEquals(1, loaded.config().glimpses());
        assertTrue(loaded.attends());
        long[] ids = {5, 5, 7};
        int[][] q = {loaded.questions().encode("what color is the ball"), loaded.questions().encode("what color is the box"),
            loaded.questions().encode("what color is the ring")};
        FeatureSource std = loaded.imageSide().features(features, files.best());
        INDArray grids = std.grid(new long[] {5, 7});
        INDArray before = attending.best().probabilities(std.pooled(ids), attending.best().networkGrids(grids, new int[] {0, 0, 1}), q);
        INDArray after = loaded.probabilities(std.pooled(ids), loaded.networkGrids(grids, new int[] {0, 0, 1}), q);
        assertArrayEquals(before.dup('c').data().asFloat(), after.dup('c').data().asFloat(), 0f);

        // resuming under another number of glimpses is another architecture
        GlimpseException e = assertThrows(GlimpseException.class, () -> new VqaTrainer(config(2).withEpochs(21), log, false)
                .train(train, train, features, List.of(), files, true));
        assertTrue(e.getMessage().contains("glimpses"), e.getMessage());
    }

    private static double accuracy(VqaModel model, List<VqaItem> items, FeatureSource raw, Path file) {
        return VqaEvaluator.evaluate(items.stream().map(VqaItem::groundTruth).toList(),
                model.answerAll(items, model.imageSide().features(raw, file), 32)).overall();
    }

    /** Model files from before the glimpses have no such fields: they read as the pooled baseline. */
    @Test
    void aConfigurationWithoutGlimpsesIsTheBaseline() throws Exception {
        VqaNetConfig cfg = new VqaNetConfig(9, 4, 5, 2, 6, 5, 3, 0.5).withGlimpses(2, 7, 7, 12, 8);
        String json = Json.MAPPER.writeValueAsString(cfg);
        assertEquals(cfg, Json.MAPPER.readValue(json, VqaNetConfig.class));
        assertEquals(cfg.parameterCount(), new VqaNet(cfg, 1).params().size());
        String old = json.replaceAll(",\\s*\"(glimpses|gridRows|gridCols|gridDim|attentionDim)\" : \\d+", "");
        assertTrue(!old.contains("glimpses") && !old.contains("gridDim"), old);
        VqaNetConfig read = Json.MAPPER.readValue(old, VqaNetConfig.class);
        assertEquals(cfg.withGlimpses(0, 0, 0, 0, 0), read.withImageScale(cfg.imageScale()));
        assertEquals(false, read.attends());
    }

    /** A model file whose glimpses read another grid than its image side gives is refused in one line. */
    @Test
    void glimpsesOverAnotherGridThanTheImageSideAreRefused() throws Exception {
        TwoThings features = new TwoThings();
        List<VqaItem> train = items(features).subList(0, 32);
        Checkpoints files = Checkpoints.beside(dir.resolve("m.zip"));
        new VqaTrainer(config(1).withEpochs(1), new PrintWriter(new StringWriter()), false)
                .train(train, List.of(), features, List.of(), files, false);
        VqaModel good = VqaModel.load(files.best());
        Path bad = dir.resolve("bad.zip");
        good.bundle().json("net_config", good.config().withGlimpses(1, 1, 4, DIM, 16)).write(bad);
        GlimpseException e = assertThrows(GlimpseException.class, () -> VqaModel.load(bad));
        assertTrue(e.getMessage().startsWith(bad.toString()) && e.getMessage().contains("1x4x8 grid"), e.getMessage());
    }
}

package dev.glimpse.captioning.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.nn.Adam;
import dev.glimpse.common.nn.CellKind;
import dev.glimpse.common.nn.GradientCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class CaptionNetTest {
    private static final int V = 11;
    private static final int F = 6;
    private static final int C = 5;
    private static final int R = 4;

    @BeforeAll
    static void init() {
        Backend.init();
    }

    private static CaptionNetConfig config(boolean attention, int layers) {
        return new CaptionNetConfig(V, F, C, 4, 5, layers, 3, attention, 0.3);
    }

    @ParameterizedTest(name = "cell={0}")
    @CsvSource({"gru", "rnn"})
    void otherCellsGradientsMatchFiniteDifferences(String cell) {
        CaptionNet net = new CaptionNet(config(true, 2).withCell(CellKind.parse(cell)), 42, DataType.DOUBLE);
        assertEquals(net.config().parameterCount(), net.params().size());
        CaptionBatch batch = batch(DataType.DOUBLE, 5, 3, 0, 5, 2);
        GradientCheck.Result r = GradientCheck.check(net.params(),
                () -> net.trainStep(batch, false).mean(),
                () -> net.loss(batch),
                8, 1e-4, 1e-9, 9);
        System.out.println("CaptionNet gradient check cell=" + cell + ": " + r);
        assertTrue(r.max() < 1e-4, r.toString());
    }

    /** Step-wise decoding (batched input-product rows, and the batch-1 table-row path in float) equals teacher forcing. */
    @ParameterizedTest(name = "cell={0}")
    @CsvSource({"lstm", "gru", "rnn"})
    void everyCellDecodesAsItTrains(String cell) {
        CaptionNetConfig cfg = config(true, 2).withCell(CellKind.parse(cell));
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            CaptionNet net = new CaptionNet(cfg, 7, type);
            CaptionBatch all = batch(type, 8, 2, 6, 4);
            int first = type == DataType.FLOAT ? 1 : all.size(); // float: one caption, the latency path
            CaptionBatch batch = new CaptionBatch(all.pooled().get(NDArrayIndex.interval(0, first), NDArrayIndex.all()),
                    all.grid().get(NDArrayIndex.interval(0, first), NDArrayIndex.all(), NDArrayIndex.all()),
                    java.util.Arrays.copyOf(all.tokens(), first));
            INDArray[] expected = net.teacherForcedProbabilities(batch);
            DecodeState s = net.start(batch.pooled(), batch.grid());
            double worst = 0;
            for (int t = 0; t < 7; t++) {
                int[] feed = new int[batch.size()];
                for (int i = 0; i < feed.length; i++) {
                    int[] caption = batch.tokens()[i];
                    feed[i] = t < caption.length - 1 ? caption[t] : 2;
                }
                INDArray probs = net.next(s, feed); // [B, V]
                for (int i = 0; i < feed.length; i++) {
                    if (t < batch.tokens()[i].length - 1) {
                        worst = Math.max(worst, probs.getRow(i).castTo(DataType.DOUBLE)
                                .sub(expected[i].getRow(t).castTo(DataType.DOUBLE)).amaxNumber().doubleValue());
                    }
                }
            }
            assertTrue(worst < (type == DataType.DOUBLE ? 1e-12 : 1e-5), cell + " " + type + ": max difference " + worst);
        }
    }

    /**
     * bfloat16 decoding at batch 1 stays within bfloat16's rounding of the float decoder, differs from it (the
     * copies are used), follows parameter changes, and leaves batched decoding bit for bit as it was.
     */
    @ParameterizedTest(name = "cell={0}")
    @CsvSource({"lstm", "gru", "rnn"})
    void bf16DecodingAtBatchOneStaysCloseToFloat(String cell) {
        CaptionNetConfig cfg = config(true, 2).withCell(CellKind.parse(cell));
        CaptionNet exact = new CaptionNet(cfg, 7);
        CaptionNet half = new CaptionNet(cfg, 7);
        half.decodeInBf16(true);
        CaptionBatch all = batch(DataType.FLOAT, 8, 6, 4);
        CaptionBatch one = new CaptionBatch(all.pooled().get(NDArrayIndex.interval(0, 1), NDArrayIndex.all()),
                all.grid().get(NDArrayIndex.interval(0, 1), NDArrayIndex.all(), NDArrayIndex.all()),
                new int[][] {all.tokens()[0]});
        int[] words = java.util.Arrays.copyOf(all.tokens()[0], 7);
        double diff = decode(half, one, words).sub(decode(exact, one, words)).amaxNumber().doubleValue();
        assertTrue(diff > 0 && diff < 2e-2, cell + ": largest probability difference " + diff);

        CaptionNet other = new CaptionNet(cfg, 9);
        other.decodeInBf16(true);
        half.params().copyFrom(other.params().toFloatArray());
        assertEquals(0, decode(half, one, words).sub(decode(other, one, words)).amaxNumber().doubleValue(), 0,
                cell + ": the bfloat16 copies follow the new parameters");

        other.decodeInBf16(false);
        DecodeState a = half.start(all.pooled(), all.grid());
        DecodeState b = other.start(all.pooled(), all.grid());
        for (int t = 0; t < 5; t++) {
            int[] feed = {all.tokens()[0][t], all.tokens()[1][t]};
            assertEquals(0, half.next(a, feed).sub(other.next(b, feed)).amaxNumber().doubleValue(), 0,
                    cell + ": batch 2 is not affected, step " + t);
        }
    }

    /** Truncated BPTT with chunks at least as long as the longest caption is full BPTT, exactly. */
    @ParameterizedTest(name = "cell={0}")
    @CsvSource({"lstm", "gru", "rnn"})
    void tbpttWithLongChunksEqualsFullBptt(String cell) {
        CaptionNetConfig cfg = config(true, 2).withCell(CellKind.parse(cell));
        CaptionBatch batch = batch(DataType.DOUBLE, 5, 3, 0, 5, 2); // longest: 7 steps
        CaptionNet full = new CaptionNet(cfg, 42, DataType.DOUBLE);
        double fullLoss = full.trainStep(batch, false, 0).mean();
        INDArray fullGrad = full.params().flatGrad().dup();
        for (int k : new int[] {7, 8, 30}) {
            CaptionNet net = new CaptionNet(cfg, 42, DataType.DOUBLE);
            assertEquals(fullLoss, net.trainStep(batch, false, k).mean(), 0, "k=" + k);
            assertEquals(0, net.params().flatGrad().sub(fullGrad).amaxNumber().doubleValue(), 0, "k=" + k);
        }
    }

    /**
     * Shorter chunks carry the state forward, so the loss is that of the whole captions, but the gradient
     * stops at each chunk's start, and the layers' caches only ever held one chunk's rows.
     */
    @ParameterizedTest(name = "cell={0}")
    @CsvSource({"lstm", "gru", "rnn"})
    void shortChunksKeepTheLossTruncateTheGradientAndBoundMemory(String cell) {
        CaptionNetConfig cfg = config(true, 1).withCell(CellKind.parse(cell));
        CaptionBatch batch = batch(DataType.DOUBLE, 5, 12, 9, 10, 11); // 14 steps, 4 captions
        CaptionNet full = new CaptionNet(cfg, 42, DataType.DOUBLE);
        double fullLoss = full.trainStep(batch, false, 0).mean();
        INDArray fullGrad = full.params().flatGrad().dup();
        for (int k : new int[] {1, 3, 5}) {
            CaptionNet net = new CaptionNet(cfg, 42, DataType.DOUBLE);
            net.recordGradNorms(true);
            assertEquals(fullLoss, net.trainStep(batch, false, k).mean(), 1e-12, "k=" + k);
            double diff = net.params().flatGrad().sub(fullGrad).amaxNumber().doubleValue();
            assertTrue(diff > 1e-6, "k=" + k + ": truncation changed nothing");
            assertTrue(net.trainingCapacityRows() <= k * batch.size(), "k=" + k + ": " + net.trainingCapacityRows() + " rows");
            assertEquals(14, net.lastStepGradNorms().length);
        }
        assertTrue(full.trainingCapacityRows() >= 4 * 11);
    }

    /**
     * Captions sharing their image's grid (one memory per image, as a fine-tuned encoder batches them) train exactly as
     * the same captions each with a copy of the grid: same loss, parameter gradients, pooled gradients, and a grid
     * gradient per image equal to the sum over its captions' copies; with full BPTT and with truncated chunks (where
     * later chunks read only some of the images).
     */
    @ParameterizedTest(name = "tbptt={0}")
    @CsvSource({"0", "3"})
    void sharedGridsTrainAsPerCaptionCopies(int tbptt) {
        CaptionNetConfig cfg = config(true, 2);
        CaptionBatch perRow = batch(DataType.DOUBLE, 7, 3, 6, 1, 4, 2, 5); // 6 captions
        int[] gridOf = {2, 0, 2, 1, 0, 2};                                  // of 3 images, one caption alone
        INDArray grids = Nd4j.randn(DataType.DOUBLE, 3, R, C);            // [U, R, C]
        for (int i = 0; i < gridOf.length; i++) {
            perRow.grid().get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all())
                    .assign(grids.get(NDArrayIndex.point(gridOf[i]), NDArrayIndex.all(), NDArrayIndex.all()));
        }
        CaptionBatch shared = new CaptionBatch(perRow.pooled(), grids, gridOf, perRow.tokens());
        CaptionNet a = new CaptionNet(cfg, 42, DataType.DOUBLE);
        CaptionNet b = new CaptionNet(cfg, 42, DataType.DOUBLE);
        if (tbptt > 0) {
            assertEquals(a.trainStep(perRow, false, tbptt).mean(), b.trainStep(shared, false, tbptt).mean(), 1e-12);
            assertEquals(0, a.params().flatGrad().sub(b.params().flatGrad()).amaxNumber().doubleValue(), 1e-12);
            return;
        }
        CaptionNet.FeatureStep fa = a.trainStepWithFeatureGradients(perRow, false);
        CaptionNet.FeatureStep fb = b.trainStepWithFeatureGradients(shared, false);
        assertEquals(fa.loss().mean(), fb.loss().mean(), 1e-12);
        assertEquals(0, a.params().flatGrad().sub(b.params().flatGrad()).amaxNumber().doubleValue(), 1e-12);
        assertEquals(0, fa.dPooled().sub(fb.dPooled()).amaxNumber().doubleValue(), 1e-12);
        assertArrayEquals(new long[] {3, R, C}, fb.dGrid().shape());
        INDArray summed = Nd4j.zeros(DataType.DOUBLE, 3, R, C);
        for (int i = 0; i < gridOf.length; i++) {
            summed.get(NDArrayIndex.point(gridOf[i]), NDArrayIndex.all(), NDArrayIndex.all())
                    .addi(fa.dGrid().get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all()));
        }
        assertTrue(summed.amaxNumber().doubleValue() > 1e-6, "the grid gradient is not zero");
        assertEquals(0, summed.sub(fb.dGrid()).amaxNumber().doubleValue(), 1e-12);
        assertEquals(a.loss(perRow), b.loss(shared), 1e-12);
    }

    /**
     * Weighted captions (self-critical training): the step's gradient is the sum of each caption's own gradient times
     * its weight (negative ones included), over the batch's token count, and so is the summed loss.
     */
    @ParameterizedTest(name = "tbptt={0}")
    @CsvSource({"0", "3"})
    void weightedCaptionsTrainAsTheWeightedSumOfTheirGradients(int tbptt) {
        CaptionNetConfig cfg = config(true, 2);
        CaptionBatch plain = batch(DataType.DOUBLE, 9, 3, 6, 1, 4);
        double[] w = {0.7, 0, -1.3, 2.0};
        CaptionBatch weighted = new CaptionBatch(plain.pooled(), plain.grid(), null, plain.tokens(), w);
        CaptionNet net = new CaptionNet(cfg, 42, DataType.DOUBLE);
        StepLoss got = net.trainStep(weighted, false, tbptt);
        INDArray grad = net.params().flatGrad().dup();
        INDArray expected = Nd4j.zeros(DataType.DOUBLE, grad.shape());
        double expectedLoss = 0;
        for (int i = 0; i < w.length; i++) {
            CaptionBatch one = new CaptionBatch(row(plain.pooled(), i), plain.grid().get(NDArrayIndex.interval(i, i + 1),
                    NDArrayIndex.all(), NDArrayIndex.all()).dup(), new int[][] {plain.tokens()[i]});
            net.params().flatGrad().assign(0);
            StepLoss l = net.trainStep(one, false, tbptt);
            expected.addi(net.params().flatGrad().mul(w[i] * l.tokens() / plain.targetCount()));
            expectedLoss += w[i] * l.lossSum();
        }
        assertEquals(plain.targetCount(), got.tokens());
        assertEquals(expectedLoss, got.lossSum(), 1e-10);
        assertTrue(expected.amaxNumber().doubleValue() > 1e-6);
        assertEquals(0, grad.sub(expected).amaxNumber().doubleValue(), 1e-12);
        assertThrows(IllegalArgumentException.class,
                () -> new CaptionBatch(plain.pooled(), plain.grid(), null, plain.tokens(), new double[] {1, 2}));
        assertThrows(IllegalArgumentException.class,
                () -> new CaptionBatch(plain.pooled(), plain.grid(), null, plain.tokens(), new double[] {1, Double.NaN, 1, 1}));
    }

    @Test
    void sharedGridIndicesAreChecked() {
        CaptionBatch perRow = batch(DataType.DOUBLE, 7, 3, 6);
        INDArray grids = Nd4j.randn(DataType.DOUBLE, 1, R, C);
        assertThrows(IllegalArgumentException.class, () -> new CaptionBatch(perRow.pooled(), grids, new int[] {0, 1}, perRow.tokens()));
        assertThrows(IllegalArgumentException.class, () -> new CaptionBatch(perRow.pooled(), grids, new int[] {0}, perRow.tokens()));
        assertThrows(IllegalArgumentException.class, () -> new CaptionBatch(perRow.pooled(), null, new int[] {0, 0}, perRow.tokens()));
    }

    /** Random captions {@code <start>=1 ... <end>=2} with the given word counts. */
    private static CaptionBatch batch(DataType type, long seed, int... words) {
        SplittableRandom rng = new SplittableRandom(seed);
        int b = words.length;
        int[][] tokens = new int[b][];
        for (int i = 0; i < b; i++) {
            tokens[i] = new int[words[i] + 2];
            tokens[i][0] = 1;
            for (int w = 1; w <= words[i]; w++) {
                tokens[i][w] = 3 + rng.nextInt(V - 3);
            }
            tokens[i][words[i] + 1] = 2;
        }
        Nd4j.getRandom().setSeed(seed);
        INDArray pooled = Nd4j.randn(type, b, F); // [B, F]
        INDArray grid = Nd4j.randn(type, b, R, C); // [B, R, C]
        return new CaptionBatch(pooled, grid, tokens);
    }

    @ParameterizedTest(name = "attention={0} layers={1}")
    @CsvSource({"false,1", "false,2", "true,1", "true,2"})
    void gradientsMatchFiniteDifferences(boolean attention, int layers) {
        CaptionNet net = new CaptionNet(config(attention, layers), 42, DataType.DOUBLE);
        CaptionBatch batch = batch(DataType.DOUBLE, 5, 3, 0, 5, 2); // ragged, one empty caption
        GradientCheck.Result r = GradientCheck.check(net.params(),
                () -> net.trainStep(batch, false).mean(),
                () -> net.loss(batch),
                8, 1e-4, 1e-9, 9); // eps 1e-4: at 1e-6 round-off dominates for gradients ~1e-7
        System.out.println("CaptionNet gradient check attention=" + attention + " layers=" + layers + ": " + r);
        assertEquals(net.params().layout().size(), r.maxRelErrorByParam().size());
        assertTrue(r.max() < 1e-4, r.toString());
    }

    /** The feature gradients a fine-tuned encoder receives, against central differences on the features themselves. */
    @ParameterizedTest(name = "attention={0}")
    @CsvSource({"false", "true"})
    void featureGradientsMatchFiniteDifferences(boolean attention) {
        CaptionNet net = new CaptionNet(config(attention, 2), 42, DataType.DOUBLE);
        CaptionBatch batch = batch(DataType.DOUBLE, 5, 3, 0, 5, 2);
        CaptionNet.FeatureStep step = net.trainStepWithFeatureGradients(batch, false);
        assertEquals(net.loss(batch), step.loss().mean(), 1e-12, "same loss as trainStep");
        double worst = 0;
        for (INDArray[] pair : attention ? new INDArray[][] {{batch.pooled(), step.dPooled()}, {batch.grid(), step.dGrid()}}
                : new INDArray[][] {{batch.pooled(), step.dPooled()}}) {
            INDArray x = pair[0];
            INDArray analytic = pair[1];
            assertArrayEquals(x.shape(), analytic.shape());
            for (long i = 0; i < x.length(); i += 3) {
                double orig = x.getDouble(i);
                x.putScalar(i, orig + 1e-5);
                double plus = net.loss(batch);
                x.putScalar(i, orig - 1e-5);
                double minus = net.loss(batch);
                x.putScalar(i, orig);
                double numeric = (plus - minus) / 2e-5;
                double a = analytic.getDouble(i);
                worst = Math.max(worst, Math.abs(a - numeric) / Math.max(1e-7, Math.max(Math.abs(a), Math.abs(numeric))));
            }
        }
        System.out.println("CaptionNet feature gradient check attention=" + attention + ": max rel error " + worst);
        assertTrue(worst < 1e-4, "max relative error " + worst);
        if (!attention) {
            assertNull(step.dGrid());
        }
    }

    /**
     * Dropout masks come from generators seeded by the net's seed, so a fresh net with the same seed
     * draws the same masks on its first step: each finite-difference evaluation uses a fresh copy.
     */
    @Test
    void gradientsWithDropoutMatchFiniteDifferences() {
        CaptionNetConfig cfg = config(true, 2);
        CaptionNet net = new CaptionNet(cfg, 42, DataType.DOUBLE);
        CaptionBatch batch = batch(DataType.DOUBLE, 6, 4, 2, 3);
        GradientCheck.Result r = GradientCheck.check(net.params(),
                () -> net.trainStep(batch, true).mean(),
                () -> {
                    CaptionNet fresh = new CaptionNet(cfg, 42, DataType.DOUBLE);
                    fresh.params().flat().assign(net.params().flat());
                    return fresh.trainStep(batch, true).mean();
                },
                4, 1e-4, 1e-9, 3);
        System.out.println("CaptionNet gradient check with dropout: " + r);
        assertTrue(r.max() < 1e-4, r.toString());
        assertTrue(Math.abs(net.loss(batch) - net.trainStep(batch, true).mean()) > 1e-6, "dropout had no effect");
    }

    @Test
    void trainStepReportsSummedLossAndTokenCount() {
        CaptionNet net = new CaptionNet(config(true, 1), 1, DataType.DOUBLE);
        CaptionBatch batch = batch(DataType.DOUBLE, 2, 4, 1, 6);
        StepLoss loss = net.trainStep(batch, false);
        assertEquals(batch.targetCount(), loss.tokens());
        assertEquals(5 + 2 + 7, loss.tokens());
        assertEquals(net.loss(batch), loss.mean(), 1e-12);
        // Untrained: close to uniform over the vocabulary.
        assertEquals(Math.log(V), loss.mean(), 0.5);
    }

    @Test
    void dropoutChangesTrainingLossButNotEvaluation() {
        CaptionNet net = new CaptionNet(config(true, 2), 3, DataType.DOUBLE);
        CaptionBatch batch = batch(DataType.DOUBLE, 4, 5, 3, 4);
        double clean = net.loss(batch);
        double dropped = net.trainStep(batch, true).mean();
        assertTrue(Math.abs(clean - dropped) > 1e-6, "dropout had no effect");
        assertEquals(clean, net.loss(batch), 0);
    }

    @ParameterizedTest(name = "attention={0} layers={1}")
    @CsvSource({"false,1", "true,2"})
    void stepwiseDecodingReproducesTeacherForcing(boolean attention, int layers) {
        CaptionNet net = new CaptionNet(config(attention, layers), 7, DataType.DOUBLE);
        CaptionBatch batch = batch(DataType.DOUBLE, 8, 2, 6, 4);
        INDArray[] expected = net.teacherForcedProbabilities(batch);
        DecodeState s = net.start(batch.pooled(), batch.grid());
        int longest = 0;
        for (int[] t : batch.tokens()) {
            longest = Math.max(longest, t.length - 1);
        }
        double worst = 0;
        for (int t = 0; t < longest; t++) {
            int[] feed = new int[batch.size()];
            for (int i = 0; i < feed.length; i++) {
                int[] caption = batch.tokens()[i];
                feed[i] = t < caption.length - 1 ? caption[t] : 2; // finished captions: any token
            }
            INDArray probs = net.next(s, feed); // [B, V]
            for (int i = 0; i < feed.length; i++) {
                if (t < batch.tokens()[i].length - 1) {
                    worst = Math.max(worst, probs.getRow(i).sub(expected[i].getRow(t)).amaxNumber().doubleValue());
                }
            }
            if (attention) {
                assertEquals(0, s.attention().sum(1).sub(1.0).amaxNumber().doubleValue(), 1e-12);
            }
            assertEquals(0, probs.sum(1).sub(1.0).amaxNumber().doubleValue(), 1e-12);
        }
        assertTrue(worst < 1e-12, "step-wise vs teacher-forced max difference " + worst);
    }

    @Test
    void selectContinuesTheChosenRows() {
        CaptionNet net = new CaptionNet(config(true, 2), 11, DataType.DOUBLE);
        CaptionBatch batch = batch(DataType.DOUBLE, 12, 3, 3, 3);
        int[][] history = {{1, 4, 5}, {1, 6, 7}, {1, 8, 9}};
        DecodeState s = net.start(batch.pooled(), batch.grid());
        for (int t = 0; t < 3; t++) {
            net.next(s, new int[] {history[0][t], history[1][t], history[2][t]});
        }
        int[] rows = {2, 0, 2};
        DecodeState picked = s.select(rows);
        assertEquals(3, picked.batch());
        for (int i = 0; i < rows.length; i++) {
            assertEquals(0, picked.attention().getRow(i).sub(s.attention().getRow(rows[i])).amaxNumber().doubleValue(), 0);
        }
        INDArray probs = net.next(picked, new int[] {3, 4, 5}).dup(); // [3, V]
        INDArray weights = picked.attention().dup(); // [3, R]
        int[] last = {3, 4, 5};
        for (int i = 0; i < rows.length; i++) {
            int src = rows[i];
            DecodeState alone = net.start(row(batch.pooled(), src), row(batch.grid(), src));
            for (int t = 0; t < 3; t++) {
                net.next(alone, new int[] {history[src][t]});
            }
            INDArray p = net.next(alone, new int[] {last[i]}); // [1, V]
            assertEquals(0, probs.getRow(i).sub(p.getRow(0)).amaxNumber().doubleValue(), 1e-12);
            assertEquals(0, weights.getRow(i).sub(alone.attention().getRow(0)).amaxNumber().doubleValue(), 1e-12);
        }
        // The source state is untouched by select and still advances.
        net.next(s, new int[] {3, 3, 3});
        assertThrows(IllegalArgumentException.class, () -> s.select(new int[] {3}));
    }

    /** Decoding reads a per-word table derived from the weights: it must follow weight changes. */
    @Test
    void decodingFollowsParameterChanges() {
        CaptionNet net = new CaptionNet(config(false, 1), 13, DataType.DOUBLE);
        CaptionNet other = new CaptionNet(config(false, 1), 14, DataType.DOUBLE);
        CaptionBatch batch = batch(DataType.DOUBLE, 15, 2);
        int[] words = {1, 5, 6};
        INDArray before = decode(net, batch, words);
        net.params().copyFrom(other.params().toFloatArray());
        INDArray after = decode(net, batch, words);
        INDArray expected = decode(other, batch, words);
        assertTrue(after.sub(before).amaxNumber().doubleValue() > 1e-4, "the change is visible");
        assertEquals(0, after.sub(expected).amaxNumber().doubleValue(), 1e-6); // copyFrom goes through float
    }

    private static INDArray decode(CaptionNet net, CaptionBatch batch, int[] words) {
        DecodeState s = net.start(batch.pooled(), net.config().attention() ? batch.grid() : null);
        INDArray probs = null;
        for (int w : words) {
            probs = net.next(s, new int[] {w});
        }
        return probs.dup();
    }

    private static INDArray row(INDArray a, int i) {
        if (a.rank() == 2) {
            return a.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all()).dup('c');
        }
        return a.get(NDArrayIndex.interval(i, i + 1), NDArrayIndex.all(), NDArrayIndex.all()).dup('c');
    }

    @ParameterizedTest(name = "attention={0}")
    @CsvSource({"false", "true"})
    void overfitsEightCaptions(boolean attention) {
        CaptionNet net = new CaptionNet(new CaptionNetConfig(30, F, C, 16, 32, 1, 8, attention, 0.0), 5);
        CaptionBatch batch = batch(DataType.FLOAT, 21, 3, 5, 7, 4, 6, 2, 8, 5);
        Adam adam = new Adam(net.params(), 1e-2);
        double first = net.loss(batch);
        for (int i = 0; i < 120; i++) {
            net.params().zeroGrad();
            net.trainStep(batch, false);
            net.params().clipGradNorm(5);
            adam.step();
        }
        double last = net.loss(batch);
        assertTrue(last < 0.2 * first, "loss " + first + " -> " + last);
    }

    @Test
    void rejectsInputsOfTheWrongShape() {
        CaptionNet net = new CaptionNet(config(true, 1), 1, DataType.DOUBLE);
        CaptionBatch good = batch(DataType.DOUBLE, 1, 2, 3);
        assertThrows(IllegalArgumentException.class,
                () -> net.trainStep(new CaptionBatch(good.pooled(), null, good.tokens()), false));
        assertThrows(IllegalArgumentException.class,
                () -> net.start(Nd4j.zeros(DataType.DOUBLE, 2, F + 1), good.grid()));
        assertThrows(IllegalArgumentException.class,
                () -> net.trainStep(new CaptionBatch(good.pooled(), good.grid(), new int[][] {{1, 2}, {1, V, 2}}), false));
        assertThrows(IllegalArgumentException.class, () -> new CaptionBatch(good.pooled(), good.grid(), new int[][] {{1, 2}, {1}}));
        DecodeState s = net.start(good.pooled(), good.grid());
        assertThrows(IllegalArgumentException.class, () -> net.next(s, new int[] {1}));
    }
}

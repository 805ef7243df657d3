package dev.glimpse.captioning.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.captioning.model.CaptionModel;
import dev.glimpse.common.Backend;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.encoder.EncoderRequest;
import dev.glimpse.common.encoder.FineTune;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.encoder.TunableEncoder;
import dev.glimpse.common.encoder.TunedWeights;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.features.InMemoryFeatures;
import dev.glimpse.common.imageside.FineTuning;
import dev.glimpse.common.train.Checkpoints;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * With the encoder fine-tuned (random-init SqueezeNet, its last two blocks), a run interrupted
 * mid-epoch and resumed from its checkpoint ends exactly where an uninterrupted run ends: the tuned
 * encoder parameters, its Adam moments and the data order are all restored.
 */
class FineTuneResumeTest {
    static final EncoderRequest ENCODER = EncoderRequest.randomInit("squeezenet", 3).withInputSize(48);
    static final FineTune MODE = FineTune.parse("last2");

    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    /** Each scene drawn: its colour as an object in its cell of a 2x2 layout, its shape as the object's form. */
    private static BufferedImage draw(SyntheticCaptions.Scene s) {
        Color[] colours = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};
        BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.GRAY);
        g.fillRect(0, 0, 48, 48);
        g.setColor(colours[s.colour()]);
        int x = (s.cell() % 2) * 24 + 2;
        int y = (s.cell() / 2) * 24 + 2;
        switch (s.shape()) {
            case 0 -> g.fillOval(x, y, 20, 20);
            case 1 -> g.fillRect(x, y, 20, 20);
            default -> g.fillPolygon(new int[] {x + 10, x + 20, x}, new int[] {y, y + 20, y + 20}, 3);
        }
        g.dispose();
        return img;
    }

    /** Features of every scene from one encoded batch (ids consecutive, in scene order from {@code first}). */
    private static FeatureSource encoded(SyntheticCaptions data, EncoderInfo info, EncodedBatch b, long first) {
        return new FeatureSource() {
            @Override
            public EncoderInfo info() {
                return info;
            }

            @Override
            public boolean contains(long id) {
                return data.byId.containsKey(id);
            }

            @Override
            public INDArray pooled(long[] ids) {
                return Nd4j.pullRows(b.pooled(), 1, rows(ids));
            }

            @Override
            public INDArray grid(long[] ids) {
                long[] s = b.grid().shape();
                return Nd4j.pullRows(b.grid().reshape(s[0], s[1] * s[2]), 1, rows(ids)).reshape(ids.length, s[1], s[2]);
            }

            private int[] rows(long[] ids) {
                int[] r = new int[ids.length];
                for (int i = 0; i < r.length; i++) {
                    r[i] = (int) (ids[i] - first);
                }
                return r;
            }
        };
    }

    /** The frozen prefix's activations of every scene, as the split cache serves them. */
    private static FeatureSource splitActivations(SyntheticCaptions data) {
        try (TunableEncoder enc = TunableEncoder.open(ENCODER, null, MODE); ImageEncoder prefix = enc.prefix()) {
            List<SyntheticCaptions.Scene> scenes = new ArrayList<>(data.byId.values());
            EncodedBatch b = prefix.encode(scenes.stream().map(FineTuneResumeTest::draw).toList());
            FeatureSource all = encoded(data, prefix.info(), b, scenes.get(0).id());
            return InMemoryFeatures.extract(all, data.byId.keySet().stream().mapToLong(Long::longValue).toArray(), 8,
                    true, false);
        }
    }

    /** Split activations that fail after a number of reads, like a process killed mid-epoch. */
    private static FeatureSource crashingAfter(FeatureSource inner, int reads) {
        return new FeatureSource() {
            int left = reads;

            @Override
            public EncoderInfo info() {
                return inner.info();
            }

            @Override
            public boolean contains(long id) {
                return inner.contains(id);
            }

            @Override
            public INDArray pooled(long[] ids) {
                return inner.pooled(ids);
            }

            @Override
            public INDArray grid(long[] ids) {
                if (left-- <= 0) {
                    throw new IllegalStateException("simulated crash");
                }
                return inner.grid(ids);
            }
        };
    }

    private CaptionTrainer.Result train(SyntheticCaptions data, FeatureSource split, CaptionTrainingConfig cfg, Path out,
                                        boolean resume, StringWriter log) throws IOException {
        Path source = dir.resolve("synthetic.txt");
        if (!Files.exists(source)) {
            Files.writeString(source, "synthetic scenes drawn for the fine-tuning resume test\n");
        }
        // A fresh encoder each run, as a new process would open: the base weights, tuned parameters from the checkpoint.
        try (TunableEncoder enc = TunableEncoder.open(ENCODER, null, MODE)) {
            return new CaptionTrainer(cfg, false).train(data.dataset(source), null, new FineTuning(enc, split, 0.5),
                    Checkpoints.beside(out), resume, new PrintWriter(log, true));
        }
    }

    /** With dropout in cross-entropy epochs; with self-critical epochs from the second on (the crash falls in one). */
    @ParameterizedTest(name = "selfCriticalAfter={0}")
    @ValueSource(ints = {-1, 1})
    void aRunResumedMidEpochEqualsAnUninterruptedOne(int selfCriticalAfter) throws IOException {
        SyntheticCaptions data = new SyntheticCaptions(16, 4, 2);
        FeatureSource split = splitActivations(data);
        CaptionTrainingConfig cfg = CaptionTrainerTest.tiny().epochs(3).checkpointEvery(2).dropout(0.3)
                .selfCriticalAfter(selfCriticalAfter).build();

        Path straight = dir.resolve("straight.zip");
        CaptionTrainer.Result full = train(data, split, cfg, straight, false, new StringWriter());
        long steps = full.history().get(0).iteration(); // per epoch: batches hold whole images, so fewer than 48 / 8

        // Reads of the split activations: one to fit the standardisation, one per step, three per validation
        // (2 loss batches, 1 decode batch). Crash at epoch 2's 4th step: the last checkpoint is after its 2nd.
        Path crashed = dir.resolve("crashed.zip");
        assertThrows(IllegalStateException.class, () -> train(data, crashingAfter(split, (int) (1 + steps + 3 + 3)), cfg,
                crashed, false, new StringWriter()));
        StringWriter log = new StringWriter();
        train(data, split, cfg, crashed, true, log);
        assertTrue(log.toString().contains("at epoch 2, batch 2 (step " + (steps + 2) + ")"), "resumed mid-epoch: " + log);

        Checkpoints a = Checkpoints.beside(straight);
        Checkpoints b = Checkpoints.beside(crashed);
        assertSameModel(ModelBundle.read(a.latest()), ModelBundle.read(b.latest()), a.latest());
        assertSameModel(ModelBundle.read(a.best()), ModelBundle.read(b.best()), a.best());
        for (String group : List.of("decoder", "encoder")) {
            assertArrayEquals(ModelBundle.read(a.latest()).floats("adam." + group),
                    ModelBundle.read(b.latest()).floats("adam." + group), 0f, "Adam moments of the " + group);
        }
    }

    /** im2txt's second phase: fine-tuning that starts from a decoder trained on the frozen encoder, not from scratch. */
    @Test
    void initFromAFrozenEncoderModelStartsWhereItLeftOff() throws IOException {
        SyntheticCaptions data = new SyntheticCaptions(16, 4, 2);
        FeatureSource split = splitActivations(data);
        Path source = dir.resolve("synthetic.txt");
        Files.writeString(source, "synthetic scenes drawn for the fine-tuning resume test\n");
        CaptionTrainingConfig phase1 = CaptionTrainerTest.tiny().epochs(8).build();
        Path frozen = dir.resolve("frozen.zip");
        try (ImageEncoder enc = dev.glimpse.common.encoder.Encoders.open(ENCODER)) {
            List<SyntheticCaptions.Scene> scenes = new ArrayList<>(data.byId.values());
            EncodedBatch b = enc.encode(scenes.stream().map(FineTuneResumeTest::draw).toList());
            FeatureSource feats = encoded(data, enc.info(), b, scenes.get(0).id());
            new CaptionTrainer(phase1, false).train(data.dataset(source), feats, Checkpoints.beside(frozen), false,
                    new PrintWriter(new StringWriter(), true));
        }
        Path best = Checkpoints.beside(frozen).best();
        CaptionTrainingConfig phase2 = CaptionTrainerTest.tiny().epochs(1).build();
        double fromScratch;
        double fromPhase1;
        try (TunableEncoder enc = TunableEncoder.open(ENCODER, null, MODE)) {
            fromScratch = new CaptionTrainer(phase2, false).train(data.dataset(source), null, new FineTuning(enc, split, 0.5),
                    Checkpoints.beside(dir.resolve("scratch.zip")), false, new PrintWriter(new StringWriter(), true))
                    .history().get(0).trainLoss();
        }
        try (TunableEncoder enc = TunableEncoder.open(ENCODER, null, MODE)) {
            fromPhase1 = new CaptionTrainer(phase2, false).train(data.dataset(source), null, new FineTuning(enc, split, 0.5, best),
                    Checkpoints.beside(dir.resolve("phase2.zip")), false, new PrintWriter(new StringWriter(), true))
                    .history().get(0).trainLoss();
        }
        assertTrue(fromPhase1 < 0.7 * fromScratch, "first-epoch loss from the trained decoder " + fromPhase1
                + " vs from scratch " + fromScratch);
        // Another decoder shape is refused with the options to match, before any training.
        CaptionTrainingConfig other = CaptionTrainerTest.tiny().epochs(1).hiddenDim(24).build();
        try (TunableEncoder enc = TunableEncoder.open(ENCODER, null, MODE)) {
            dev.glimpse.common.GlimpseException e = assertThrows(dev.glimpse.common.GlimpseException.class,
                    () -> new CaptionTrainer(other, false).train(data.dataset(source), null, new FineTuning(enc, split, 0.5, best),
                            Checkpoints.beside(dir.resolve("other.zip")), false, new PrintWriter(new StringWriter(), true)));
            assertTrue(e.getMessage().contains("--init-from") && e.getMessage().contains("--hidden"), e.getMessage());
        }
    }

    private static void assertSameModel(ModelBundle want, ModelBundle got, Path file) {
        CaptionModel w = CaptionModel.from(want, file);
        CaptionModel g = CaptionModel.from(got, file);
        assertArrayEquals(w.params(), g.params(), 0f, "decoder parameters");
        TunedWeights tw = w.imageSide().tuned();
        TunedWeights tg = g.imageSide().tuned();
        assertEquals(tw.values().keySet(), tg.values().keySet());
        for (String k : tw.values().keySet()) {
            assertArrayEquals(tw.values().get(k), tg.values().get(k), 0f, "tuned encoder parameter " + k);
        }
        assertTrue(!tw.values().isEmpty(), "the encoder was tuned");
    }
}

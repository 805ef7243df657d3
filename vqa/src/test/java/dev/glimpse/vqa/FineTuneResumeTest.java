package dev.glimpse.vqa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * With the encoder fine-tuned (random-init SqueezeNet, its last two blocks) and dropout on, a VQA run
 * interrupted mid-epoch and resumed from its checkpoint ends exactly where an uninterrupted run ends.
 */
class FineTuneResumeTest {
    static final int IMAGES = 16;
    static final EncoderRequest ENCODER = EncoderRequest.randomInit("squeezenet", 3).withInputSize(48);
    static final FineTune MODE = FineTune.parse("last2");

    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    /** Image i: count(i) balls of color(i), as the toy questions ask about. */
    private static BufferedImage draw(int i) {
        Color[] colours = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};
        BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.GRAY);
        g.fillRect(0, 0, 48, 48);
        g.setColor(colours[VqaTrainerTest.color(i)]);
        for (int k = 0; k < VqaTrainerTest.count(i); k++) {
            g.fillOval(2 + (k % 2) * 24, 2 + (k / 2) * 24, 18, 18);
        }
        g.dispose();
        return img;
    }

    /** The frozen prefix's activations of images 0..IMAGES-1, as the split cache serves them. */
    private static FeatureSource splitActivations() {
        try (TunableEncoder enc = TunableEncoder.open(ENCODER, null, MODE); ImageEncoder prefix = enc.prefix()) {
            List<BufferedImage> images = new ArrayList<>();
            for (int i = 0; i < IMAGES; i++) {
                images.add(draw(i));
            }
            EncodedBatch b = prefix.encode(images);
            FeatureSource all = new FeatureSource() {
                @Override
                public EncoderInfo info() {
                    return prefix.info();
                }

                @Override
                public boolean contains(long id) {
                    return id >= 0 && id < IMAGES;
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
                    return LongStream.of(ids).mapToInt(id -> (int) id).toArray();
                }
            };
            return InMemoryFeatures.extract(all, LongStream.range(0, IMAGES).toArray(), 8, true, false);
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

    private static void train(FeatureSource split, VqaTrainConfig cfg, Path out, boolean resume, StringWriter log)
            throws IOException {
        // A fresh encoder each run, as a new process would open: the base weights, tuned parameters from the checkpoint.
        try (TunableEncoder enc = TunableEncoder.open(ENCODER, null, MODE)) {
            List<VqaItem> items = VqaTrainerTest.items(0, IMAGES);
            new VqaTrainer(cfg, new PrintWriter(log, true), false).train(items, List.of(), null,
                    new FineTuning(enc, split, 0.5), List.of(), Checkpoints.beside(out), resume);
        }
    }

    /** Also with glimpses, whose grid gradient reaches the encoder too. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void aRunResumedMidEpochEqualsAnUninterruptedOne(int glimpses) throws IOException {
        FeatureSource split = splitActivations();
        // 16 images x 2 questions / batch 8 = 4 steps per epoch; a checkpoint every 2 steps.
        VqaTrainConfig cfg = VqaTrainerTest.tiny().withEpochs(3).withBatchSize(8).withDropout(0.3).withPatience(0)
                .withCheckpointEvery(2).withGlimpses(glimpses, 8);
        Path straight = dir.resolve("straight.zip");
        train(split, cfg, straight, false, new StringWriter());

        // Fitting the standardisation reads the activations once, then each step once (no validation questions):
        // the crash comes at epoch 2's 4th step, so the last checkpoint is the one after its 2nd.
        Path crashed = dir.resolve("crashed.zip");
        assertThrows(IllegalStateException.class, () -> train(crashingAfter(split, 1 + 4 + 3), cfg, crashed, false,
                new StringWriter()));
        StringWriter log = new StringWriter();
        train(split, cfg, crashed, true, log);
        assertTrue(log.toString().contains("at epoch 2, batch 2 (step 6)"), "resumed mid-epoch: " + log);

        Checkpoints a = Checkpoints.beside(straight);
        Checkpoints b = Checkpoints.beside(crashed);
        VqaModel want = VqaModel.load(a.latest());
        VqaModel got = VqaModel.load(b.latest());
        assertEquals(glimpses > 0, got.attends());
        assertArrayEquals(want.net().params().toFloatArray(), got.net().params().toFloatArray(), 0f, "VQA net parameters");
        TunedWeights tw = want.imageSide().tuned();
        TunedWeights tg = got.imageSide().tuned();
        assertTrue(!tw.values().isEmpty(), "the encoder was tuned");
        assertEquals(tw.values().keySet(), tg.values().keySet());
        for (String k : tw.values().keySet()) {
            assertArrayEquals(tw.values().get(k), tg.values().get(k), 0f, "tuned encoder parameter " + k);
        }
        for (String group : List.of("net", "encoder")) {
            assertArrayEquals(ModelBundle.read(a.latest()).floats("adam." + group),
                    ModelBundle.read(b.latest()).floats("adam." + group), 0f, "Adam moments of the " + group);
        }
    }
}

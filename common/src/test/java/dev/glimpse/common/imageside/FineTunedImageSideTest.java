package dev.glimpse.common.imageside;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.EncoderRequest;
import dev.glimpse.common.encoder.FineTune;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.encoder.TunableEncoder;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.features.InMemoryFeatures;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fine-tuned image side: standardised features through the split cache, gradients that move the
 * encoder, the model-file round trip of the tuned parameters, and inference opening the encoder
 * with them.
 */
class FineTunedImageSideTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    private static List<BufferedImage> images(int n) {
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(48, 48, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = img.createGraphics();
            g.setColor(new Color(40 * i % 256, 90, 200 - 30 * i));
            g.fillRect(0, 0, 48, 48);
            g.setColor(Color.WHITE);
            g.fillOval(4 * i, 10, 20, 20);
            g.dispose();
            out.add(img);
        }
        return out;
    }

    /** The split activations of the images, ids 1..n, as a trainer reads them from the split cache. */
    private static FeatureSource splitFeatures(TunableEncoder enc, List<BufferedImage> images) {
        long[] ids = new long[images.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = i + 1;
        }
        try (ImageEncoder prefix = enc.prefix()) {
            EncodedBatch b = prefix.encode(images);
            FeatureSource src = new FeatureSource() {
                @Override
                public dev.glimpse.common.encoder.EncoderInfo info() {
                    return prefix.info();
                }

                @Override
                public boolean contains(long id) {
                    return id >= 1 && id <= images.size();
                }

                @Override
                public INDArray pooled(long[] want) {
                    return Nd4j.pullRows(b.pooled(), 1, rows(want));
                }

                @Override
                public INDArray grid(long[] want) {
                    long[] s = b.grid().shape();
                    return Nd4j.pullRows(b.grid().reshape(s[0], s[1] * s[2]), 1, rows(want)).reshape(want.length, s[1], s[2]);
                }

                private int[] rows(long[] want) {
                    int[] r = new int[want.length];
                    for (int i = 0; i < r.length; i++) {
                        r[i] = (int) want[i] - 1;
                    }
                    return r;
                }
            };
            return InMemoryFeatures.extract(src, ids, 4, true, false);
        }
    }

    /** Features of images 1..n from one batch, saying they came through {@code tuned} (null: the base weights). */
    private static FeatureSource throughTuned(EncodedBatch b, dev.glimpse.common.encoder.EncoderInfo info,
                                              dev.glimpse.common.encoder.TunedWeights tuned) {
        return new FeatureSource() {
            @Override
            public dev.glimpse.common.encoder.EncoderInfo info() {
                return info;
            }

            @Override
            public boolean contains(long id) {
                return id >= 1 && id <= b.pooled().size(0);
            }

            @Override
            public INDArray pooled(long[] want) {
                return Nd4j.pullRows(b.pooled(), 1, rows(want));
            }

            @Override
            public INDArray grid(long[] want) {
                long[] s = b.grid().shape();
                return Nd4j.pullRows(b.grid().reshape(s[0], s[1] * s[2]), 1, rows(want)).reshape(want.length, s[1], s[2]);
            }

            @Override
            public dev.glimpse.common.encoder.TunedWeights tuned() {
                return tuned;
            }

            private int[] rows(long[] want) {
                int[] r = new int[want.length];
                for (int i = 0; i < r.length; i++) {
                    r[i] = (int) want[i] - 1;
                }
                return r;
            }
        };
    }

    @Test
    void tunedImageSideRoundTripsAndOpensTheTunedEncoder() throws Exception {
        EncoderRequest req = EncoderRequest.randomInit("squeezenet", 5).withInputSize(48);
        List<BufferedImage> imgs = images(4);
        try (TunableEncoder enc = TunableEncoder.open(req, null, FineTune.parse("last"))) {
            FineTunedFeatures tuned = FineTunedFeatures.of(enc, splitFeatures(enc, imgs), null, new long[] {1, 2, 3, 4}, true);
            long[] batch = {2, 2, 4}; // a repeated image runs once and gets both rows' gradients
            FineTunedFeatures.Step st = tuned.forward(batch);
            assertEquals(3, st.pooled().size(0));
            assertEquals(2, st.pass().input().size(0), "one encoder row per distinct image");
            assertArrayEquals(st.pooled().getRow(0).toFloatVector(), st.pooled().getRow(1).toFloatVector(), 0f);
            enc.params().zeroGrad();
            tuned.backward(st, Nd4j.ones(DataType.FLOAT, st.pooled().shape()), Nd4j.ones(DataType.FLOAT, st.grid().shape()));
            assertTrue(enc.params().flatGrad().norm2Number().doubleValue() > 0, "gradients reach the encoder");

            // Move the weights as a training step would; the image side saved now carries them.
            enc.params().flat().subi(enc.params().flatGrad().mul(1e-3));
            enc.params().changed();
            EncodedBatch want = new EncodedBatch(tuned.source().pooled(new long[] {1, 3}), tuned.source().grid(new long[] {1, 3}));
            ImageSide side = tuned.imageSide();
            Path file = dir.resolve("m.zip");
            side.addTo(ModelBundle.writer("test")).write(file);
            ImageSide read = ImageSide.read(ModelBundle.read(file), file);
            assertEquals(side.tuned().values().keySet(), read.tuned().values().keySet());
            assertEquals(side.tuned().baseSha256(), read.tuned().baseSha256());
            try (ImageEncoder opened = read.open(EncoderAccess.NONE, file)) {
                EncodedBatch got = opened.encode(List.of(imgs.get(0), imgs.get(2)));
                double err = got.grid().sub(want.grid()).amaxNumber().doubleValue() / want.grid().amaxNumber().doubleValue();
                assertTrue(err < 1e-3, "inference features equal the training run's: relative error " + err);
            }
            GlimpseException e = assertThrows(GlimpseException.class, () -> read.features(splitFeatures(enc, imgs), file));
            assertTrue(e.getMessage().contains("fine-tuned"), e.getMessage());

            // Another model trained on this model's encoder (train ... --encoder-from) records the same tuned parameters,
            // reads features that came through them, and nothing else.
            try (ImageEncoder raw = read.openRaw(EncoderAccess.NONE, file)) {
                FeatureSource through = throughTuned(raw.encode(imgs), raw.info(), read.tuned());
                ImageSide second = ImageSide.fit(through, new long[] {1, 2, 3, 4}, true);
                assertTrue(second.tuned() != null && second.tuned().sameValues(read.tuned()), "the tuned parameters carry over");
                assertEquals(4, second.features(through, file).pooled(new long[] {1, 2, 3, 4}).size(0));
                GlimpseException base = assertThrows(GlimpseException.class, () -> second.features(throughTuned(raw.encode(imgs),
                        raw.info(), null), file));
                assertTrue(base.getMessage().contains("fine-tuned"), base.getMessage());
                ImageSide frozen = new ImageSide(second.encoder(), second.standardizer());
                GlimpseException tunedInFrozen = assertThrows(GlimpseException.class, () -> frozen.features(through, file));
                assertTrue(tunedInFrozen.getMessage().contains("fine-tuned encoder"), tunedInFrozen.getMessage());
            }
        }
    }

    @Test
    void frozenImageSidesHaveNoTunedEntries() throws Exception {
        ImageSide frozen = new ImageSide(FeatureStandardizerTest.THREE.info(), FeatureStandardizer.identity(3, 2));
        Path file = dir.resolve("frozen.zip");
        frozen.addTo(ModelBundle.writer("test")).write(file);
        assertNull(ImageSide.read(ModelBundle.read(file), file).tuned());
        assertTrue(Files.size(file) > 0);
    }
}

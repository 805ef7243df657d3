package dev.glimpse.captioning.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.captioning.net.CaptionNetConfig;
import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.imageside.FeatureStandardizer;
import dev.glimpse.common.imageside.ImageSide;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.text.Vocabulary;
import dev.glimpse.common.train.TrainingRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CaptionModelTest {
    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @TempDir
    Path dir;

    static EncoderInfo encoderInfo(String name, int dim) {
        return new EncoderInfo(name, dim, 2, 3, dim, PreprocessSpec.plainRgb(32), true, "random-init seed=1", null,
                "grid", "mean(grid)", "none");
    }

    static CaptionModel model(String encoderName) {
        Vocabulary v = Vocabulary.build(List.of(List.of("a", "red", "circle"), List.of("a", "blue", "square")), 1);
        CaptionNetConfig cfg = new CaptionNetConfig(v.size(), 6, 6, 8, 10, 1, 4, true, 0);
        CaptionNet net = new CaptionNet(cfg, 3);
        TrainingRecord rec = TrainingRecord.start(CaptionModel.KIND, Map.of("epochs", 1), List.of(), 3, encoderName, true);
        return new CaptionModel(cfg, v, new ImageSide(encoderInfo(encoderName, 6), FeatureStandardizer.identity(6, 6)), rec,
                net.params().toFloatArray());
    }

    @Test
    void roundTripsThroughOneFile() throws Exception {
        CaptionModel m = model("squeezenet");
        Path f = dir.resolve("m.zip");
        m.write(f);
        CaptionModel back = CaptionModel.read(f);
        assertEquals(m.net(), back.net());
        assertEquals(m.vocabulary(), back.vocabulary());
        assertTrue(m.imageSide().encoder().sameFeatures(back.imageSide().encoder()));
        assertEquals("squeezenet", back.training().encoder());
        assertArrayEquals(m.params(), back.params());
        // Same parameters -> same captions.
        INDArray pooled = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 6); // [B, F]
        INDArray grid = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 6, 6); // [B, R, C]
        var a = Captioner.featuresOnly(m, f).caption(pooled, grid, DecodeOptions.defaults());
        var b = Captioner.featuresOnly(back, f).caption(pooled, grid, DecodeOptions.defaults());
        for (int i = 0; i < 2; i++) {
            assertEquals(a.get(i).text(), b.get(i).text());
            assertEquals(a.get(i).tokens().size(), a.get(i).attention().length);
            assertEquals(6, a.get(i).attention()[0].length);
        }
    }

    @Test
    void featureStatisticsTravelWithTheModelAndAreAppliedAtInference() throws Exception {
        CaptionModel raw = model("squeezenet");
        float[] mean = {100, 100, 100, 100, 100, 100};
        float[] std = {10, 10, 10, 10, 10, 10};
        float[] gmean = {-5, -5, -5, -5, -5, -5};
        float[] gstd = {2, 2, 2, 2, 2, 2};
        CaptionModel m = new CaptionModel(raw.net(), raw.vocabulary(),
                new ImageSide(raw.imageSide().encoder(), new FeatureStandardizer(mean, std, gmean, gstd)),
                raw.training(), raw.params());
        Path f = dir.resolve("norm.zip");
        m.write(f);
        CaptionModel back = CaptionModel.read(f);
        assertArrayEquals(mean, back.imageSide().standardizer().pooledMean());
        assertArrayEquals(gstd, back.imageSide().standardizer().gridStd());
        INDArray z = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 6); // [B, F] standardised
        INDArray zg = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 6, 6); // [B, R, C]
        INDArray x = z.mul(10).add(100); // what the encoder would give
        INDArray xg = zg.mul(2).sub(5);
        var withNorm = Captioner.featuresOnly(back, f).caption(x, xg, DecodeOptions.greedy(8));
        var plain = Captioner.featuresOnly(raw, f).caption(z, zg, DecodeOptions.greedy(8));
        for (int i = 0; i < 3; i++) {
            assertEquals(plain.get(i).text(), withNorm.get(i).text());
            assertEquals(plain.get(i).score(), withNorm.get(i).score(), 1e-4);
        }
    }

    @Test
    void refusesOtherKindsAndDamagedFiles() throws Exception {
        Path vqa = dir.resolve("vqa.zip");
        ModelBundle.writer("vqa").json("x", Map.of()).write(vqa);
        GlimpseException e = assertThrows(GlimpseException.class, () -> CaptionModel.read(vqa));
        assertTrue(e.getMessage().contains("vqa"), e.getMessage());

        CaptionModel m = model("squeezenet");
        Path cut = dir.resolve("cut.zip");
        new CaptionModel(m.net(), m.vocabulary(), m.imageSide(), m.training(), new float[10]).write(cut);
        GlimpseException p = assertThrows(GlimpseException.class,
                () -> Captioner.featuresOnly(CaptionModel.read(cut), cut));
        assertEquals(cut + ": params.f32: has 10 values, the configuration needs " + m.net().parameterCount(),
                p.getMessage());
    }

    @Test
    void featuresFromAnotherEncoderAreAClearError() {
        CaptionModel m = model("squeezenet");
        FeatureSource other = new FeatureSource() {
            @Override
            public EncoderInfo info() {
                return encoderInfo("resnet50", 6);
            }

            @Override
            public boolean contains(long id) {
                return true;
            }

            @Override
            public INDArray pooled(long[] ids) {
                return Nd4j.zeros(ids.length, 6);
            }

            @Override
            public INDArray grid(long[] ids) {
                return Nd4j.zeros(ids.length, 6, 6);
            }
        };
        GlimpseException e = assertThrows(GlimpseException.class,
                () -> Captioner.featuresOnly(m, Path.of("m.zip")).caption(other, new long[] {1}, DecodeOptions.defaults()));
        assertTrue(e.getMessage().contains("squeezenet") && e.getMessage().contains("resnet50")
                && e.getMessage().contains("name:"), e.getMessage());
    }
}

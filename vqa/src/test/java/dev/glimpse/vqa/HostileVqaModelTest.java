package dev.glimpse.vqa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.imageside.FeatureStandardizer;
import dev.glimpse.common.imageside.ImageSide;
import dev.glimpse.common.bundle.ModelLimits;
import dev.glimpse.common.text.Vocabulary;
import dev.glimpse.vqa.net.VqaNet;
import dev.glimpse.vqa.net.VqaNetConfig;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** VQA model files declaring sizes, values or words they must not: one line naming file, entry and field. */
class HostileVqaModelTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    static VqaModel model() {
        Vocabulary words = Vocabulary.build(List.of(List.of("what", "color", "is", "it"), List.of("how", "many")), 1);
        AnswerVocabulary answers = AnswerVocabulary.build(List.of(List.of("red", "two", "yes")), 3);
        VqaNetConfig cfg = new VqaNetConfig(words.size(), 4, 5, 2, 6, 5, answers.size(), 0.5);
        FeatureStandardizer std = new FeatureStandardizer(new float[] {0, 1, 2, 3, 4, 5}, new float[] {1, 1, 2, 2, 3, 3},
                null, null);
        EncoderInfo info = new EncoderInfo("toy", 6, 1, 1, 6, PreprocessSpec.plainRgb(8), true, "random-init seed=1", null,
                "g", "mean(g)", "none");
        return new VqaModel(cfg, new VqaNet(cfg, 3), new QuestionEncoder(words, 8), answers, new ImageSide(info, std),
                false, null);
    }

    Path withEntry(String name, String entry, Object value) throws IOException {
        ModelBundle.Writer w = model().bundle();
        if (value instanceof float[] f) {
            w.floats(entry, f);
        } else {
            w.json(entry, value);
        }
        Path f = dir.resolve(name);
        w.write(f);
        return f;
    }

    static void refused(Path f, String message) {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(tid);
        RuntimeException thrown = null;
        try {
            VqaModel.load(f);
        } catch (RuntimeException e) {
            thrown = e;
        }
        long allocated = bean.getThreadAllocatedBytes(tid) - before;
        assertInstanceOf(GlimpseException.class, thrown);
        assertEquals(message, thrown.getMessage());
        assertTrue(allocated < (16 << 20), "heap allocated while refusing: " + allocated);
    }

    @Test
    void aValidModelRoundTrips() throws IOException {
        VqaModel m = model();
        Path f = dir.resolve("ok.zip");
        m.save(f);
        VqaModel back = VqaModel.load(f);
        assertEquals(m.config(), back.config());
        assertArrayEquals(m.net().params().toFloatArray(), back.net().params().toFloatArray());
    }

    @Test
    void sizesBeyondTheLimitsAreRefusedBeforeTheNetworkIsBuilt() throws IOException {
        VqaNetConfig c = model().config();
        Path wide = withEntry("wide.zip", "net_config", new VqaNetConfig(c.questionVocab(), 4, 16000, 2, 6, 5, c.answers(), 0.5));
        refused(wide, wide + ": net_config.json: hiddenDim is 16000, expected 1 to 8192 (limit in ModelLimits)");
        Path deep = withEntry("deep.zip", "net_config", new VqaNetConfig(c.questionVocab(), 4, 5, 3000, 6, 5, c.answers(), 0.5));
        refused(deep, deep + ": net_config.json: lstmLayers is 3000, expected 1 to 16 (limit in ModelLimits)");
        VqaNetConfig big = new VqaNetConfig(c.questionVocab(), 8192, 8192, 16, 16384, 8192, c.answers(), 0.5);
        Path many = withEntry("many.zip", "net_config", big);
        refused(many, many + ": net_config.json: the network would have " + big.parameterCount()
                + " parameters, the limit is " + ModelLimits.MAX_PARAMETERS);
        VqaModel m = model();
        Path longQ = withEntry("long.zip", "vqa", new VqaModel.Settings(false, 100_000,
                m.questions().vocabulary().sha256(), m.answers().sha256()));
        refused(longQ, longQ + ": vqa.json: maxQuestionLength is 100000, expected 1 to 1000 (limit in ModelLimits)");
    }

    @Test
    void nonFiniteParametersAndDegenerateScalesAreRefused() throws IOException {
        float[] params = model().net().params().toFloatArray();
        params[9] = Float.NEGATIVE_INFINITY;
        Path inf = withEntry("inf.zip", "params", params);
        refused(inf, inf + ": params.f32: value 9 is -Infinity (not finite)");
        Path zero = withEntry("zero.zip", "image_side.pooled_std", new float[] {1, 1, 0, 1, 1, 1});
        refused(zero, zero + ": image_side.pooled_std.f32: value 2 is 0.0 (a standard deviation or scale must be finite and positive)");
        Path nan = withEntry("nan.zip", "image_side.pooled_mean", new float[] {1, Float.NaN, 0, 1, 1, 1});
        refused(nan, nan + ": image_side.pooled_mean.f32: value 1 is NaN (not finite)");
    }

    @Test
    void anImageScaleOutsideItsRangeIsRefused() throws IOException {
        for (double bad : new double[] {-1, 1e9}) {
            @SuppressWarnings("unchecked")
            java.util.Map<String, Object> cfg = dev.glimpse.common.io.Json.MAPPER.convertValue(model().config(), java.util.Map.class);
            cfg.put("imageScale", bad);
            Path f = withEntry("scale.zip", "net_config", cfg);
            GlimpseException e = org.junit.jupiter.api.Assertions.assertThrows(GlimpseException.class, () -> VqaModel.load(f));
            assertTrue(e.getMessage().startsWith(f + ": entry net_config.json is not a valid VqaNetConfig"), e.getMessage());
            assertTrue(e.getMessage().endsWith("imageScale must be in (0, 10000.0]: " + bad), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void nullOrRepeatedWordsAndAnswersAreRefused() throws IOException {
        List<String> words = new ArrayList<>(model().questions().vocabulary().words());
        words.set(4, null);
        Path nul = withEntry("null.zip", "question_vocab", words);
        refused(nul, nul + ": question_vocab.json: entry 4 is null");
        AnswerVocabulary.Saved a = model().answers().saved();
        List<String> keys = new ArrayList<>(a.keys());
        keys.set(1, keys.get(0));
        Path dup = withEntry("dup.zip", "answer_vocab", new AnswerVocabulary.Saved(keys, a.spellings(), a.counts()));
        refused(dup, dup + ": answer_vocab.json: keys: entry 1 \"" + keys.get(0) + "\" repeats entry 0");
        List<String> spellings = new ArrayList<>(a.spellings());
        spellings.set(2, null);
        Path sp = withEntry("spelling.zip", "answer_vocab", new AnswerVocabulary.Saved(a.keys(), spellings, a.counts()));
        refused(sp, sp + ": answer_vocab.json: answer vocabulary: answer 2 has a null or empty key or spelling");
    }

    @Test
    void theParameterCountFromTheConfigurationIsTheNetworksOwn() {
        for (VqaNetConfig c : List.of(new VqaNetConfig(7, 4, 5, 2, 6, 5, 4, 0.5), new VqaNetConfig(11, 6, 8, 1, 7, 9, 5, 0))) {
            assertEquals(new VqaNet(c, 1).params().size(), c.parameterCount(), c.toString());
        }
    }
}

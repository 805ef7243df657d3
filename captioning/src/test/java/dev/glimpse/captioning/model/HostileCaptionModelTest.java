package dev.glimpse.captioning.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.captioning.net.CaptionNetConfig;
import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.bundle.ModelLimits;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.imageside.FeatureStandardizer;
import dev.glimpse.common.imageside.ImageSide;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files that declare sizes, values or words they must not: each is refused with one line
 * naming the file, the entry and the field, before the network is allocated.
 */
class HostileCaptionModelTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    /** The model of {@link CaptionModelTest#model}, written with {@code entry} replaced by {@code value}. */
    Path withEntry(String name, String entry, Object value) throws IOException {
        CaptionModel m = CaptionModelTest.model("squeezenet");
        ModelBundle.Writer w = m.addTo(ModelBundle.writer(CaptionModel.KIND));
        if (value instanceof float[] f) {
            w.floats(entry, f);
        } else {
            w.json(entry, value);
        }
        Path f = dir.resolve(name);
        w.write(f);
        return f;
    }

    /** Reads {@code f}, expects {@code message}, and checks the heap the refusal allocated stayed small. */
    static void refused(Path f, String message) {
        com.sun.management.ThreadMXBean bean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(tid);
        RuntimeException thrown = null;
        try {
            CaptionModel.read(f);
        } catch (RuntimeException e) {
            thrown = e;
        }
        long allocated = bean.getThreadAllocatedBytes(tid) - before;
        assertInstanceOf(GlimpseException.class, thrown);
        assertEquals(message, thrown.getMessage());
        assertTrue(allocated < (16 << 20), "heap allocated while refusing: " + allocated);
    }

    static CaptionNetConfig config(int vocab, int embed, int hidden, int layers) {
        return new CaptionNetConfig(vocab, 6, 6, embed, hidden, layers, 4, true, 0);
    }

    @Test
    void sizesBeyondTheLimitsAreRefusedBeforeTheNetworkIsBuilt() throws IOException {
        int v = CaptionModelTest.model("squeezenet").vocabulary().size();
        Path wide = withEntry("wide.zip", CaptionModel.NET, config(v, 8, 16000, 1));
        refused(wide, wide + ": net.json: hiddenDim is 16000, expected 1 to 8192 (limit in ModelLimits)");
        Path huge = withEntry("huge.zip", CaptionModel.NET, config(v, 8, 100000, 1));
        refused(huge, huge + ": net.json: hiddenDim is 100000, expected 1 to 8192 (limit in ModelLimits)");
        Path deep = withEntry("deep.zip", CaptionModel.NET, config(v, 8, 10, 3000));
        refused(deep, deep + ": net.json: layers is 3000, expected 1 to 16 (limit in ModelLimits)");
        // Each size within its limit, together far too many parameters.
        CaptionNetConfig big = new CaptionNetConfig(200_000, 16384, 16384, 8192, 8192, 16, 8192, true, 0);
        Path many = withEntry("many.zip", CaptionModel.NET, big);
        refused(many, many + ": net.json: the network would have " + big.parameterCount()
                + " parameters, the limit is " + ModelLimits.MAX_PARAMETERS);
        EncoderInfo e = CaptionModelTest.model("squeezenet").imageSide().encoder();
        EncoderInfo wideInput = new EncoderInfo(e.name(), e.pooledDim(), e.gridRows(), e.gridCols(), e.gridDim(),
                PreprocessSpec.plainRgb(2048), e.randomInit(), e.weightsSource(), e.weightsSha256(), e.gridLayer(),
                e.pooledLayer(), e.featureNorm(), e.seed());
        Path input = withEntry("input.zip", "image_side", java.util.Map.of("encoder", wideInput));
        refused(input, input + ": image_side.json: encoder.preprocess: inputSize is 2048, expected 0 (network default) to 1024");
    }

    @Test
    void nonFiniteParametersAndDegenerateStatisticsAreRefused() throws IOException {
        float[] params = CaptionModelTest.model("squeezenet").params().clone();
        params[5] = Float.NaN;
        Path nan = withEntry("nan.zip", CaptionModel.PARAMS, params);
        refused(nan, nan + ": params.f32: value 5 is NaN (not finite)");
        params[5] = Float.POSITIVE_INFINITY;
        Path inf = withEntry("inf.zip", CaptionModel.PARAMS, params);
        refused(inf, inf + ": params.f32: value 5 is Infinity (not finite)");

        float[] ones = {1, 1, 1, 1, 1, 1};
        float[] zeroStd = {1, 1, 0, 1, 1, 1};
        Path zero = dir.resolve("zero-std.zip");
        CaptionModel m = CaptionModelTest.model("squeezenet");
        new CaptionModel(m.net(), m.vocabulary(), new ImageSide(m.imageSide().encoder(), new FeatureStandardizer(ones, zeroStd, ones, ones)),
                m.training(), m.params()).write(zero);
        refused(zero, zero + ": image_side.pooled_std.f32: value 2 is 0.0 (a standard deviation or scale must be finite and positive)");
        Path nanMean = dir.resolve("nan-mean.zip");
        float[] badMean = {1, 1, 1, Float.NaN, 1, 1};
        new CaptionModel(m.net(), m.vocabulary(), new ImageSide(m.imageSide().encoder(), new FeatureStandardizer(ones, ones, badMean, ones)),
                m.training(), m.params()).write(nanMean);
        refused(nanMean, nanMean + ": image_side.grid_mean.f32: value 3 is NaN (not finite)");
        Path negStd = dir.resolve("neg-std.zip");
        float[] neg = {1, 1, 1, 1, -2, 1};
        new CaptionModel(m.net(), m.vocabulary(), new ImageSide(m.imageSide().encoder(), new FeatureStandardizer(ones, ones, ones, neg)),
                m.training(), m.params()).write(negStd);
        refused(negStd, negStd + ": image_side.grid_std.f32: value 4 is -2.0 (a standard deviation or scale must be finite and positive)");
    }

    @Test
    void nullEmptyOrRepeatedVocabularyWordsAreRefused() throws IOException {
        List<String> words = CaptionModelTest.model("squeezenet").vocabulary().words();
        List<String> withNull = new ArrayList<>(words);
        withNull.set(5, null);
        Path nul = withEntry("null-word.zip", CaptionModel.VOCABULARY, new CaptionModel.VocabularyEntry(withNull, null));
        refused(nul, nul + ": vocabulary.json: words: entry 5 is null");
        List<String> withEmpty = new ArrayList<>(words);
        withEmpty.set(6, "");
        Path empty = withEntry("empty-word.zip", CaptionModel.VOCABULARY, new CaptionModel.VocabularyEntry(withEmpty, null));
        refused(empty, empty + ": vocabulary.json: words: entry 6 is empty");
        List<String> repeated = new ArrayList<>(words);
        repeated.set(7, repeated.get(4));
        Path dup = withEntry("dup-word.zip", CaptionModel.VOCABULARY, new CaptionModel.VocabularyEntry(repeated, null));
        refused(dup, dup + ": vocabulary.json: words: entry 7 \"" + words.get(4) + "\" repeats entry 4");
        Path none = withEntry("no-words.zip", CaptionModel.VOCABULARY, new CaptionModel.VocabularyEntry(null, null));
        refused(none, none + ": vocabulary.json: words: missing word list");
    }

    @Test
    void theParameterCountFromTheConfigurationIsTheNetworksOwn() {
        for (CaptionNetConfig c : Arrays.asList(
                new CaptionNetConfig(13, 6, 0, 8, 10, 1, 0, false, 0),
                new CaptionNetConfig(13, 6, 5, 8, 10, 3, 4, true, 0.2),
                new CaptionNetConfig(40, 7, 9, 5, 11, 2, 3, true, 0))) {
            assertEquals(new CaptionNet(c, 1).params().size(), c.parameterCount(), c.toString());
            assertEquals(c, c.validate("test"));
        }
    }
}

package dev.glimpse.vqa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.imageside.FeatureStandardizer;
import dev.glimpse.common.imageside.ImageSide;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.nn.Adam;
import dev.glimpse.common.nn.CellKind;
import dev.glimpse.common.text.Vocabulary;
import dev.glimpse.vqa.net.VqaNet;
import dev.glimpse.vqa.net.VqaNetConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A VQA model of every cell trains, is saved, loaded and answers the same. */
class VqaCellModelTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @ParameterizedTest
    @EnumSource(CellKind.class)
    void trainsSavesLoadsAndAnswersTheSame(CellKind cell) throws Exception {
        Vocabulary words = Vocabulary.build(List.of(List.of("what", "color", "is", "it"), List.of("how", "many")), 1);
        AnswerVocabulary answers = AnswerVocabulary.build(List.of(List.of("red", "two", "yes")), 3);
        VqaNetConfig cfg = new VqaNetConfig(words.size(), 6, 8, 2, 6, 8, answers.size(), 0.0, cell);
        VqaNet net = new VqaNet(cfg, 3);
        int[][] q = {
            {words.id("what"), words.id("color"), words.id("is"), words.id("it")},
            {words.id("how"), words.id("many")}};
        Nd4j.getRandom().setSeed(4);
        INDArray img = Nd4j.rand(DataType.FLOAT, 2, 6); // [B, F]
        INDArray targets = Nd4j.zeros(DataType.FLOAT, 2, answers.size()); // [B, A]
        targets.putScalar(0, 0, 1.0);
        targets.putScalar(1, 1, 1.0);
        Adam adam = new Adam(net.params(), 0.02);
        double before = net.loss(img, q, targets);
        for (int i = 0; i < 40; i++) {
            net.params().zeroGrad();
            net.trainStep(img, q, targets, false);
            adam.step();
        }
        double after = net.loss(img, q, targets);
        assertTrue(after < before * 0.3, cell + ": loss " + before + " -> " + after);
        EncoderInfo info = new EncoderInfo("toy", 6, 1, 1, 6, PreprocessSpec.plainRgb(8), true, "random-init seed=1",
                null, "g", "mean(g)", "none");
        VqaModel m = new VqaModel(cfg, net, new QuestionEncoder(words, 8), answers,
                new ImageSide(info, FeatureStandardizer.identity(6, 6)), false, null);
        Path f = dir.resolve(cell.id() + ".zip");
        m.save(f);
        VqaModel back = VqaModel.load(f);
        assertEquals(cell, back.config().cell());
        INDArray a = m.probabilities(img, q);
        INDArray b = back.probabilities(img, q);
        assertEquals(0, a.sub(b).amaxNumber().doubleValue(), 0);
        assertEquals(0, back.probabilities(img, q).argMax(1).getInt(0));
        assertEquals(1, back.probabilities(img, q).argMax(1).getInt(1));
    }

    @Test
    void aConfigurationWithoutCellIsAnLstm() throws Exception {
        VqaNetConfig cfg = new VqaNetConfig(9, 4, 5, 2, 6, 5, 3, 0.5, CellKind.RNN);
        String json = Json.MAPPER.writeValueAsString(cfg);
        assertEquals(cfg, Json.MAPPER.readValue(json, VqaNetConfig.class));
        String old = json.replaceAll(",\\s*\"cell\" : \"rnn\"", "");
        assertTrue(!old.contains("cell"), old);
        assertEquals(cfg.withCell(CellKind.LSTM).withImageScale(1), Json.MAPPER.readValue(old.replaceAll(",\\s*\"imageScale\" : [0-9.]+", ""), VqaNetConfig.class));
        assertEquals(cfg.parameterCount(), new VqaNet(cfg, 1).params().size());
    }
}

package dev.glimpse.captioning.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.captioning.net.CaptionBatch;
import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.captioning.net.CaptionNetConfig;
import dev.glimpse.common.Backend;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.imageside.FeatureStandardizer;
import dev.glimpse.common.imageside.ImageSide;
import dev.glimpse.common.nn.Adam;
import dev.glimpse.common.nn.CellKind;
import dev.glimpse.common.text.Vocabulary;
import dev.glimpse.common.train.TrainingRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A captioner of every cell trains, is written, read back and decodes the same captions. */
class CellModelTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @ParameterizedTest
    @EnumSource(CellKind.class)
    void trainsSavesLoadsAndDecodesTheSame(CellKind cell) throws Exception {
        Vocabulary v = Vocabulary.build(List.of(List.of("a", "red", "circle"), List.of("a", "blue", "square")), 1);
        CaptionNetConfig cfg = new CaptionNetConfig(v.size(), 6, 6, 8, 16, 2, 4, true, 0.0, cell);
        CaptionNet net = new CaptionNet(cfg, 3);
        Nd4j.getRandom().setSeed(5);
        INDArray pooled = Nd4j.rand(DataType.FLOAT, 2, 6); // [B, F]
        INDArray grid = Nd4j.rand(DataType.FLOAT, 2, 6, 6); // [B, R, C]
        int start = Vocabulary.START;
        int end = Vocabulary.END;
        int[][] tokens = {
            {start, v.id("a"), v.id("red"), v.id("circle"), end},
            {start, v.id("a"), v.id("blue"), v.id("square"), end}};
        CaptionBatch batch = new CaptionBatch(pooled, grid, tokens);
        Adam adam = new Adam(net.params(), 0.02);
        double before = net.loss(batch);
        for (int i = 0; i < 80; i++) {
            net.params().zeroGrad();
            net.trainStep(batch, false);
            adam.step();
        }
        double after = net.loss(batch);
        assertTrue(after < 0.1, cell + ": loss " + before + " -> " + after);

        TrainingRecord rec = TrainingRecord.start(CaptionModel.KIND, Map.of("epochs", 1), List.of(), 3, "toy", true);
        CaptionModel m = new CaptionModel(cfg, v, new ImageSide(CaptionModelTest.encoderInfo("toy", 6),
                FeatureStandardizer.identity(6, 6)), rec, net.params().toFloatArray());
        Path f = dir.resolve(cell.id() + ".zip");
        m.write(f);
        CaptionModel back = CaptionModel.read(f);
        assertEquals(cell, back.net().cell());
        assertArrayEquals(m.params(), back.params());
        for (DecodeOptions o : List.of(DecodeOptions.greedy(8), DecodeOptions.defaults())) {
            var a = Captioner.featuresOnly(m, f).caption(pooled, grid, o);
            var b = Captioner.featuresOnly(back, f).caption(pooled, grid, o);
            for (int i = 0; i < 2; i++) {
                assertEquals(a.get(i).text(), b.get(i).text());
                assertEquals(a.get(i).score(), b.get(i).score(), 0);
            }
            assertEquals("a red circle", a.get(0).text(), cell + " " + o);
            assertEquals("a blue square", a.get(1).text(), cell + " " + o);
        }
    }

    @Test
    void aConfigurationWithoutCellIsAnLstm() throws Exception {
        CaptionNetConfig cfg = new CaptionNetConfig(9, 6, 0, 8, 10, 1, 0, false, 0, CellKind.GRU);
        String json = Json.MAPPER.writeValueAsString(cfg);
        assertTrue(json.contains("\"cell\" : \"gru\""), json);
        assertEquals(cfg, Json.MAPPER.readValue(json, CaptionNetConfig.class));
        String old = json.replaceAll(",\\s*\"cell\" : \"gru\"", "");
        assertEquals(cfg.withCell(CellKind.LSTM), Json.MAPPER.readValue(old, CaptionNetConfig.class));
        assertTrue(cfg.parameterCount() < cfg.withCell(CellKind.LSTM).parameterCount());
        assertEquals(cfg.parameterCount(), new CaptionNet(cfg, 1).params().size());
    }
}

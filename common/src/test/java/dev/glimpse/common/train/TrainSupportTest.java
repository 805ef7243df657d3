package dev.glimpse.common.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainSupportTest {
    @TempDir
    Path dir;

    @Test
    void recordRoundTripsThroughJsonWithFileHashes() throws IOException {
        Path data = dir.resolve("captions.json");
        Files.writeString(data, "{\"images\": []}");
        DatasetFile f = DatasetFile.of("train", data);
        assertEquals(64, f.sha256().length());
        TrainingRecord r = TrainingRecord.start("captioner", Map.of("epochs", 3), List.of(f), 7, "squeezenet", true)
                .withEpoch(new EpochMetrics(1, 100, 2.5, Map.of("CIDEr-D", 0.4), 12.0)).finishedNow();
        String json = Json.MAPPER.writeValueAsString(r);
        TrainingRecord back = Json.MAPPER.readValue(json, TrainingRecord.class);
        assertEquals(r.history(), back.history());
        assertEquals(f, back.data().get(0));
        assertTrue(back.randomInitEncoder());
        Files.writeString(data, "{\"images\": [1]}");
        assertNotEquals(f.sha256(), DatasetFile.of("train", data).sha256());
    }

    @Test
    void lossCurveIsAPng() throws IOException {
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            pts.add(new double[] {i, 5 * Math.exp(-i / 30.0)});
        }
        Path png = Checkpoints.beside(dir.resolve("model.zip")).lossCurve();
        LossCurvePlot.write(png, "loss", List.of(new LossCurvePlot.Series("train", pts)));
        var img = ImageIO.read(png.toFile());
        assertEquals(900, img.getWidth());
        assertEquals("model.loss.png", png.getFileName().toString());
        assertEquals("model.ckpt.zip", Checkpoints.beside(dir.resolve("model.zip")).latest().getFileName().toString());
    }
}

package dev.glimpse.captioning.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.image.PreprocessSpec;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttentionMapImageTest {
    @TempDir
    Path dir;

    private static double brightness(BufferedImage img, int x0, int y0, int w, int h) {
        double sum = 0;
        for (int y = y0; y < y0 + h; y++) {
            for (int x = x0; x < x0 + w; x++) {
                int rgb = img.getRGB(x, y);
                sum += ((rgb >> 16) & 255) + ((rgb >> 8) & 255) + (rgb & 255);
            }
        }
        return sum / (w * h);
    }

    @Test
    void onePanelPerWordWithHeatWhereTheWeightsAre() throws Exception {
        BufferedImage gray = new BufferedImage(300, 200, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 200; y++) {
            for (int x = 0; x < 300; x++) {
                gray.setRGB(x, y, 0x808080);
            }
        }
        // 2x2 grid: word 1 looks top-left, word 2 bottom-right.
        float[][] att = {{1, 0, 0, 0}, {0, 0, 0, 1}};
        Caption c = new Caption("red circle", List.of("red", "circle"), -1, true, List.of(), att, 2, 2);
        BufferedImage map = AttentionMapImage.render(gray, c, PreprocessSpec.ResizeMode.SQUASH);
        int cellW = AttentionMapImage.PANEL + AttentionMapImage.GAP;
        assertEquals(3 * cellW + AttentionMapImage.GAP, map.getWidth());
        int p = AttentionMapImage.PANEL;
        int q = p / 4;
        int x1 = AttentionMapImage.GAP + cellW;
        int y = AttentionMapImage.GAP;
        assertTrue(brightness(map, x1, y, q, q) > brightness(map, x1 + p - q, y + p - q, q, q) + 30,
                "word 1 brighter top-left");
        int x2 = AttentionMapImage.GAP + 2 * cellW;
        assertTrue(brightness(map, x2 + p - q, y + p - q, q, q) > brightness(map, x2, y, q, q) + 30,
                "word 2 brighter bottom-right");
        Path png = dir.resolve("att.png");
        AttentionMapImage.write(png, gray, c, PreprocessSpec.ResizeMode.CENTER_CROP);
        assertEquals(map.getWidth(), ImageIO.read(png.toFile()).getWidth());
        assertTrue(Files.size(png) > 1000);
    }
}

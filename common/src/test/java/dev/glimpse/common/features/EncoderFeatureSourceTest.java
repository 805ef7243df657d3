package dev.glimpse.common.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncoderFeatureSourceTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    private Path image(String name, int red) throws Exception {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, red << 16);
        Path file = tmp.resolve(name);
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    @Test
    void encodesOnDemandOnceForPooledAndGrid() throws Exception {
        FakeEncoder enc = new FakeEncoder("fake");
        EncoderFeatureSource source = new EncoderFeatureSource(enc,
                Map.of(1L, image("a.png", 30), 2L, image("b.png", 90)), new ImageLoader());
        assertTrue(source.contains(2));
        assertFalse(source.contains(3));
        long[] ids = {2, 1};
        assertArrayEquals(FakeEncoder.pooled(90), source.pooled(ids).getRow(0).toFloatVector(), 0f);
        assertArrayEquals(FakeEncoder.grid(30), source.grid(ids).slice(1).reshape(-1).toFloatVector(), 0f);
        assertEquals(1, enc.calls);
        assertThrows(GlimpseException.class, () -> source.pooled(new long[] {3}));
    }
}

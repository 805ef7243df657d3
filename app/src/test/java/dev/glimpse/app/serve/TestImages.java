package dev.glimpse.app.serve;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

final class TestImages {
    private TestImages() {}

    /** A PNG filled with {@code background} and a white square in the top-left quarter. */
    static byte[] png(Color background, int size) throws IOException {
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(background);
        g.fillRect(0, 0, size, size);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, size / 4, size / 4);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }
}

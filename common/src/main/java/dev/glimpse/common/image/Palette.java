package dev.glimpse.common.image;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * A palette image whose pixels name colours its palette does not have is damaged: decoders show
 * such pixels as black, transparent or the last colour, so the picture depends on the program.
 */
final class Palette {
    private Palette() {}

    /** @param declared the palette size the file's header declares, or -1 to go by the decoder's palette */
    static void check(BufferedImage image, ImageFormat format, int declared) {
        if (!(image.getColorModel() instanceof IndexColorModel icm)) {
            return;
        }
        int size = declared > 0 ? Math.min(declared, icm.getMapSize()) : icm.getMapSize();
        if (size >= 1 << icm.getPixelSize()) {
            return; // every index the samples can hold has a colour
        }
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int[] row = new int[w];
        for (int y = 0; y < image.getHeight(); y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                if (row[x] >= size) {
                    throw ImageProblem.corrupt(format, "pixel (" + x + "," + y + ") uses colour " + row[x]
                            + " of a " + size + "-colour palette");
                }
            }
        }
    }
}

package dev.glimpse.common.image;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;
import org.apache.commons.imaging.ColorTools;

/**
 * Turns whatever a decoder returned (gray, palette, 16-bit, alpha, an ICC colour space) into
 * compact sRGB TYPE_INT_RGB, transparent pixels composited over a background.
 */
final class RgbConverter {
    private RgbConverter() {}

    static BufferedImage toRgb(BufferedImage src, Color background) {
        if (isCompactIntRgb(src)) {
            return src;
        }
        ColorSpace space = src.getColorModel().getColorSpace();
        if (space.getType() == ColorSpace.TYPE_GRAY && src.getColorModel() instanceof ComponentColorModel) {
            return grayToRgb(src, background);
        }
        if (!space.isCS_sRGB() && space instanceof ICC_ColorSpace && !(src.getColorModel() instanceof IndexColorModel)) {
            // An ICC colour space the decoder attached (TIFF, CMYK ...): colour-managed conversion.
            // Other colour spaces (TwelveMonkeys' profile-less CMYK) convert pixel by pixel below.
            src = new ColorTools().convertTosRgb(src);
        }
        return drawn(src, background);
    }

    /** Java2D's blit loops: native for the layouts decoders return (measured faster than a Java loop). */
    private static BufferedImage drawn(BufferedImage src, Color background) {
        int w = src.getWidth();
        int h = src.getHeight();
        BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        try {
            if (src.getColorModel().hasAlpha()) {
                // Transparent pixels have no colour of their own; show them over a fixed background.
                g.setColor(background);
                g.fillRect(0, 0, w, h);
                g.setComposite(AlphaComposite.SrcOver);
            } else {
                g.setComposite(AlphaComposite.Src);
            }
            g.drawImage(src, 0, 0, null);
        } finally {
            g.dispose();
        }
        return dst;
    }

    /**
     * Gray samples copied as they are. Java2D treats a gray ComponentColorModel as linear light and
     * "corrects" it on the way to sRGB (a gray-with-alpha PNG value 128 came out as 188), but gray
     * PNG/TIFF/JPEG samples are gamma-encoded just like sRGB ones, so they map straight across.
     */
    private static BufferedImage grayToRgb(BufferedImage src, Color background) {
        int w = src.getWidth();
        int h = src.getHeight();
        Raster raster = src.getRaster();
        boolean alpha = src.getColorModel().hasAlpha() && raster.getNumBands() > 1;
        int grayMax = (1 << src.getColorModel().getComponentSize(0)) - 1;
        int alphaMax = alpha ? (1 << src.getColorModel().getComponentSize(1)) - 1 : 1;
        int bgR = background.getRed();
        int bgG = background.getGreen();
        int bgB = background.getBlue();
        BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] out = ((DataBufferInt) dst.getRaster().getDataBuffer()).getData();
        int[] gray = new int[w];
        int[] alphas = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, gray);
            if (alpha) {
                raster.getSamples(0, y, w, 1, 1, alphas);
            }
            for (int x = 0; x < w; x++) {
                int v = (int) ((gray[x] * 255L + grayMax / 2) / grayMax);
                int rgb;
                if (alpha) {
                    double a = (double) alphas[x] / alphaMax;
                    int r = (int) Math.round(v * a + bgR * (1 - a));
                    int g = (int) Math.round(v * a + bgG * (1 - a));
                    int b = (int) Math.round(v * a + bgB * (1 - a));
                    rgb = (r << 16) | (g << 8) | b;
                } else {
                    rgb = (v << 16) | (v << 8) | v;
                }
                out[y * w + x] = rgb;
            }
        }
        return dst;
    }

    /** TYPE_INT_RGB backed by its own int[] of exactly width*height, which later steps index directly. */
    static boolean isCompactIntRgb(BufferedImage img) {
        if (img.getType() != BufferedImage.TYPE_INT_RGB || img.getRaster().getParent() != null) {
            return false;
        }
        if (!(img.getRaster().getDataBuffer() instanceof DataBufferInt data)
                || !(img.getSampleModel() instanceof SinglePixelPackedSampleModel sm)) {
            return false;
        }
        return data.getNumBanks() == 1 && data.getOffset() == 0
                && sm.getScanlineStride() == img.getWidth()
                && img.getRaster().getSampleModelTranslateX() == 0
                && img.getRaster().getSampleModelTranslateY() == 0
                && data.getSize() == img.getWidth() * img.getHeight();
    }
}

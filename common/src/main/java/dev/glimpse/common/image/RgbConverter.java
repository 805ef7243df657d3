package dev.glimpse.common.image;

import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;

/** Turns whatever a decoder returned (gray, palette, 16-bit, alpha, CMYK already mapped) into compact TYPE_INT_RGB. */
final class RgbConverter {
    private RgbConverter() {}

    static BufferedImage toRgb(BufferedImage src, Color background) {
        if (isCompactIntRgb(src)) {
            return src;
        }
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

package dev.glimpse.common.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import org.apache.commons.imaging.Imaging;
import org.apache.commons.imaging.formats.tiff.TiffField;
import org.apache.commons.imaging.formats.tiff.TiffImageMetadata;
import org.apache.commons.imaging.formats.tiff.TiffImageParser;
import org.apache.commons.imaging.formats.tiff.constants.TiffTagConstants;
import org.apache.commons.imaging.formats.webp.WebPImageMetadata;

/**
 * The EXIF/TIFF Orientation tag (1..8) and the pixel remapping that makes the image upright.
 * Cameras store the sensor's pixel order and record the rotation in this tag; a model fed the raw
 * pixels would see sideways photos. Commons Imaging reads the tag from a JPEG's APP1 block, a
 * TIFF's first directory, a PNG's eXIf chunk and a WebP's EXIF chunk.
 */
final class Orientation {
    static final int NORMAL = 1;

    private Orientation() {}

    /**
     * The orientation recorded in the file, or {@link #NORMAL} when there is none or it cannot be
     * read: a broken EXIF block says nothing reliable about the pixels, which decoded fine.
     *
     * @param exifBlock the EXIF block (a TIFF structure) when the structure check found one: a
     *                  JPEG's APP1 payload or a PNG's eXIf chunk; other formats are asked directly
     */
    static int read(byte[] bytes, ImageFormat format, byte[] exifBlock) {
        try {
            TiffImageMetadata exif = switch (format) {
                case JPEG, PNG -> exifBlock == null ? null : (TiffImageMetadata) new TiffImageParser().getMetadata(exifBlock);
                case TIFF -> Imaging.getMetadata(bytes) instanceof TiffImageMetadata m ? m : null;
                case WEBP -> Imaging.getMetadata(bytes) instanceof WebPImageMetadata m ? m.getExif() : null;
                default -> null;
            };
            TiffField field = exif == null ? null : exif.findField(TiffTagConstants.TIFF_TAG_ORIENTATION);
            int value = field == null ? NORMAL : field.getIntValue();
            return value >= 1 && value <= 8 ? value : NORMAL;
        } catch (Exception | StackOverflowError | OutOfMemoryError e) {
            // Unreadable metadata: keep the pixels as stored.
            return NORMAL;
        }
    }

    /**
     * The image as it should be displayed. Takes a compact TYPE_INT_RGB image and returns a new one
     * (or the same one for orientation 1); orientations 5..8 swap width and height.
     */
    static BufferedImage apply(BufferedImage src, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return src;
        }
        int w = src.getWidth();
        int h = src.getHeight();
        boolean swap = orientation >= 5;
        int dw = swap ? h : w;
        int dh = swap ? w : h;
        int[] in = ((DataBufferInt) src.getRaster().getDataBuffer()).getData();
        BufferedImage dst = new BufferedImage(dw, dh, BufferedImage.TYPE_INT_RGB);
        int[] out = ((DataBufferInt) dst.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < dh; y++) {
            int row = y * dw;
            for (int x = 0; x < dw; x++) {
                // (sx, sy): the stored pixel shown at display position (x, y).
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }             // mirrored
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }     // rotated 180
                    case 4 -> { sx = x; sy = h - 1 - y; }             // flipped vertically
                    case 5 -> { sx = y; sy = x; }                     // transposed
                    case 6 -> { sx = y; sy = h - 1 - x; }             // needs 90 degrees clockwise
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }     // transversed
                    default -> { sx = w - 1 - y; sy = x; }            // 8: needs 90 degrees counter-clockwise
                }
                out[row + x] = in[sy * w + sx];
            }
        }
        return dst;
    }
}

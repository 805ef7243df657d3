package dev.glimpse.common.image;

import java.awt.Dimension;
import org.apache.commons.imaging.Imaging;

/**
 * The header of each format, read and checked before decoding: what the pixel limits and the
 * colour and orientation steps need, or an {@link ImageProblem} naming the rule the file breaks.
 */
final class FormatRules {
    /**
     * The bytes to decode (a JPEG's without fill between segments, see {@link JpegStructure#withoutFill};
     * otherwise the file's) and what the header says: the size (-1 when only the decoder can tell), the EXIF block and the
     * ICC profile where the structure check found them, whether the samples are gray, and the
     * number of palette colours the header declares (-1 when it declares none or we do not know).
     */
    record Header(byte[] bytes, int width, int height, byte[] exif, byte[] iccProfile, boolean gray, int paletteSize) {}

    private FormatRules() {}

    static Header check(byte[] bytes, ImageFormat format) {
        return switch (format) {
            case PNG -> {
                PngChunks.Info png = PngChunks.check(bytes);
                yield new Header(bytes, png.width(), png.height(), png.exif(), png.iccProfile(),
                        png.colorType() == 0 || png.colorType() == 4, png.paletteEntries());
            }
            case JPEG -> {
                byte[] canonical = JpegStructure.withoutFill(bytes);
                JpegStructure.Info jpeg = JpegStructure.check(canonical);
                yield new Header(canonical, jpeg.width(), jpeg.height(), jpeg.exif(), null, jpeg.components() == 1, -1);
            }
            case BMP -> {
                BmpStructure.Info bmp = BmpStructure.check(bytes);
                yield new Header(bytes, bmp.width(), bmp.height(), null, null, false, bmp.paletteSize());
            }
            case TIFF -> {
                TiffStructure.Info tiff = TiffStructure.check(bytes);
                yield new Header(bytes, tiff.width(), tiff.height(), null, null, false, -1);
            }
            case GIF, WEBP -> {
                Dimension d = imagingSize(bytes);
                yield new Header(bytes, d == null ? -1 : d.width, d == null ? -1 : d.height, null, null, false, -1);
            }
        };
    }

    /** Commons Imaging's reading of the header size, or null when its parser does not accept it. */
    private static Dimension imagingSize(byte[] bytes) {
        try {
            return Imaging.getImageSize(bytes);
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            return null;
        }
    }
}

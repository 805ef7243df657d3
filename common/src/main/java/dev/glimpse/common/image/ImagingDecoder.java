package dev.glimpse.common.image;

import java.awt.Dimension;
import java.awt.image.BufferedImage;
import org.apache.commons.imaging.Imaging;

/**
 * Commons Imaging as the second decoder, for files ImageIO declines as outside what it implements
 * (a BMP with a V2/V3 header, say). It runs behind the same checks as the first: structure, sizes
 * before allocation, palette, and the decoded size.
 */
final class ImagingDecoder {
    private ImagingDecoder() {}

    static BufferedImage decode(byte[] bytes, ImageFormat format, SizeCheck sizes, int paletteSize, String imageIoReason) {
        BufferedImage image;
        try {
            Dimension d = Imaging.getImageSize(bytes);
            sizes.check(d.width, d.height, 8, "header");
            image = Imaging.getBufferedImage(bytes);
        } catch (ImageProblem e) {
            throw e;
        } catch (Exception e) {
            // Neither decoder reads it: ImageIO's reason is the one that names the feature.
            throw new ImageProblem(format + " file uses a feature no decoder here supports (" + imageIoReason + ")");
        }
        if (image == null) {
            throw new ImageProblem(format + " file uses a feature no decoder here supports (" + imageIoReason + ")");
        }
        Palette.check(image, format, paletteSize);
        sizes.checkDecoded(image);
        return image;
    }
}

package dev.glimpse.common.image;

import com.twelvemonkeys.imageio.metadata.Directory;
import com.twelvemonkeys.imageio.metadata.Entry;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEG;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegment;
import com.twelvemonkeys.imageio.metadata.jpeg.JPEGSegmentUtil;
import com.twelvemonkeys.imageio.metadata.tiff.TIFF;
import com.twelvemonkeys.imageio.metadata.tiff.TIFFReader;
import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.InputStream;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;

/**
 * The EXIF Orientation tag (1..8) of a JPEG and the pixel remapping that makes the image upright.
 * Cameras store the sensor's pixel order and record the rotation in this tag; a model fed the raw
 * pixels would see sideways photos.
 */
final class ExifOrientation {
    static final int NORMAL = 1;

    private ExifOrientation() {}

    /**
     * The orientation recorded in a JPEG's EXIF block, or {@link #NORMAL} when there is none or it
     * cannot be read: a broken EXIF block says nothing reliable about the pixels, which decoded fine.
     */
    static int read(byte[] jpeg) {
        try (ImageInputStream in = new ByteArrayImageInputStream(jpeg)) {
            List<JPEGSegment> segments = JPEGSegmentUtil.readSegments(in, JPEG.APP1, "Exif");
            for (JPEGSegment segment : segments) {
                int value = orientationOf(segment);
                if (value >= 1 && value <= 8) {
                    return value;
                }
            }
        } catch (Exception | StackOverflowError e) {
            // Unreadable metadata: keep the pixels as stored.
        }
        return NORMAL;
    }

    private static int orientationOf(JPEGSegment segment) throws Exception {
        try (InputStream data = segment.data()) {
            // The identifier is "Exif\0\0": the segment data starts after the first NUL, so skip the pad byte.
            if (data.read() < 0) {
                return NORMAL;
            }
            try (ImageInputStream tiff = ImageIO.createImageInputStream(data)) {
                Directory ifd = new TIFFReader().read(tiff);
                Entry entry = ifd.getEntryById(TIFF.TAG_ORIENTATION);
                Object value = entry == null ? null : entry.getValue();
                if (value instanceof Number n) {
                    return n.intValue();
                }
                if (value instanceof int[] a && a.length > 0) {
                    return a[0];
                }
                if (value instanceof short[] a && a.length > 0) {
                    return a[0];
                }
                return NORMAL;
            }
        }
    }

    /**
     * The image as it should be displayed. Takes a TYPE_INT_RGB image and returns a new one (or the
     * same one for orientation 1); orientations 5..8 swap width and height.
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

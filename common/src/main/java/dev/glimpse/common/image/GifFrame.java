package dev.glimpse.common.image;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import javax.imageio.ImageReader;

/**
 * Places a GIF's first frame on its logical screen, as a browser shows it: ImageIO returns the
 * frame alone, which for a frame smaller than the screen is a different picture (and a different
 * size from the header's). A frame that reaches outside the screen is refused: the standard has it
 * inside, and decoders disagree on whether to clip it or grow the canvas.
 */
final class GifFrame {
    private GifFrame() {}

    static BufferedImage onScreen(BufferedImage frame, ImageReader reader) throws IOException {
        int screenW = ImageIoDecoder.attribute(reader.getStreamMetadata(), "LogicalScreenDescriptor", "logicalScreenWidth");
        int screenH = ImageIoDecoder.attribute(reader.getStreamMetadata(), "LogicalScreenDescriptor", "logicalScreenHeight");
        int left = ImageIoDecoder.attribute(reader.getImageMetadata(0), "ImageDescriptor", "imageLeftPosition");
        int top = ImageIoDecoder.attribute(reader.getImageMetadata(0), "ImageDescriptor", "imageTopPosition");
        if (screenW <= 0 || screenH <= 0 || left < 0 || top < 0) {
            throw ImageProblem.corrupt(ImageFormat.GIF, "no valid logical screen or frame position");
        }
        if (left + frame.getWidth() > screenW || top + frame.getHeight() > screenH) {
            throw ImageProblem.corrupt(ImageFormat.GIF, "first frame (" + frame.getWidth() + "x" + frame.getHeight() + " at "
                    + left + "," + top + ") reaches outside the " + screenW + "x" + screenH + " screen");
        }
        if (left == 0 && top == 0 && frame.getWidth() == screenW && frame.getHeight() == screenH) {
            return frame;
        }
        BufferedImage screen = new BufferedImage(screenW, screenH, BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = screen.createGraphics();
        try {
            g.drawImage(frame, left, top, null);
        } finally {
            g.dispose();
        }
        return screen;
    }
}

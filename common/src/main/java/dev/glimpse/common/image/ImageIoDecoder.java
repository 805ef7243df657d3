package dev.glimpse.common.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.SampleModel;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Decodes pixels with ImageIO (the JDK's readers and the TwelveMonkeys plugins), the fast path for
 * every format. The size the decoder reads from the header is checked against the limits before it
 * allocates anything; its warnings are refusals unless {@link DecoderWarnings} says otherwise.
 */
final class ImageIoDecoder {
    /** ImageIO cannot decode this file but says the fault is its own: Commons Imaging may try. */
    static final class Unsupported extends Exception {
        Unsupported(String message) {
            super(message, null, false, false);
        }
    }

    /** The decoded first image, and whether the decoder applied the file's ICC profile itself. */
    record Decoded(BufferedImage image, boolean appliesProfiles) {}

    private ImageIoDecoder() {}

    static Decoded decode(byte[] bytes, ImageFormat format, SizeCheck sizes, int paletteSize) throws IOException, Unsupported {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName);
        if (!readers.hasNext()) {
            throw new Unsupported("no " + format + " reader installed");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
            // The JDK PNG reader would otherwise inflate every text chunk into memory; we read the
            // chunks we need ourselves. GIF frame positions live in its metadata.
            reader.setInput(in, true, format == ImageFormat.PNG);
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            if (format == ImageFormat.GIF) {
                sizes.limits(width, height, bytesPerPixel(reader), "frame"); // placed on the screen below
            } else {
                sizes.check(width, height, bytesPerPixel(reader), "decoder's");
            }
            BufferedImage image = reader.read(0, reader.getDefaultReadParam());
            for (String warning : warnings) {
                if (!DecoderWarnings.harmless(warning)) {
                    throw DecoderWarnings.refusal(warning, format);
                }
            }
            Palette.check(image, format, paletteSize);
            if (format == ImageFormat.GIF) {
                image = GifFrame.onScreen(image, reader);
            }
            sizes.checkDecoded(image);
            return new Decoded(image, reader.getClass().getName().startsWith("com.twelvemonkeys."));
        } catch (IOException e) {
            if (isLimitation(e)) {
                throw new Unsupported(e.getMessage());
            }
            throw e;
        } finally {
            reader.dispose();
        }
    }

    /**
     * Messages with which ImageIO readers say a file uses something they do not implement (a BMP
     * V2/V3 header, 12-bit JPEG, an unusual TIFF layout), as opposed to something wrong with it.
     */
    static boolean isLimitation(IOException e) {
        if (e instanceof EOFException || e.getCause() instanceof EOFException || e.getMessage() == null) {
            return false;
        }
        String m = e.getMessage().toLowerCase(Locale.ROOT);
        return m.contains("not supported") || m.contains("unsupported") || m.contains("not implemented");
    }

    /** Bytes per pixel of the decoder's own raster, or a 16-bit RGBA worst case when it will not say. */
    private static int bytesPerPixel(ImageReader reader) {
        try {
            ImageTypeSpecifier type = reader.getRawImageType(0);
            if (type != null) {
                SampleModel sm = type.getSampleModel();
                int bits = 0;
                for (int size : sm.getSampleSize()) {
                    bits += size;
                }
                return Math.max(1, (bits + 7) / 8);
            }
        } catch (IOException | RuntimeException e) {
            // The read itself will report a broken header.
        }
        return 8;
    }

    /** An attribute of a node of a reader's native metadata tree, or -1. */
    static int attribute(IIOMetadata metadata, String node, String name) {
        if (metadata == null) {
            return -1;
        }
        Node root = metadata.getAsTree(metadata.getNativeMetadataFormatName());
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeName().equals(node)) {
                NamedNodeMap attributes = n.getAttributes();
                Node a = attributes == null ? null : attributes.getNamedItem(name);
                return a == null ? -1 : Integer.parseInt(a.getNodeValue());
            }
        }
        return -1;
    }
}

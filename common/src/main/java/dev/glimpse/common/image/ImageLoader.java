package dev.glimpse.common.image;

import com.twelvemonkeys.imageio.stream.ByteArrayImageInputStream;
import dev.glimpse.common.GlimpseException;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.awt.image.SampleModel;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes JPEG, PNG, GIF (first frame), BMP, TIFF (first page) and WebP into an upright
 * TYPE_INT_RGB image, the one pixel layout the rest of Glimpse reads.
 *
 * <p>Every input problem ends as a {@link GlimpseException} whose one-line message starts with the
 * source name: oversized files and headers are refused before any pixel is decoded, truncated data
 * is an error rather than a half-gray picture, and whatever a decoder throws on fuzzed input
 * (ArrayIndexOutOfBounds, NegativeArraySize, OutOfMemoryError) is reported the same way.
 *
 * <p>Thread-safe: every call uses its own ImageIO reader.
 */
public final class ImageLoader {
    /** Transparent pixels are composited over this colour (white, as browsers show them on a page). */
    public static final Color BACKGROUND = Color.WHITE;

    /** Decoding may use at most this share of the maximum heap; the rest belongs to the models. */
    static final double MAX_HEAP_SHARE = 0.5;

    private static final int MAX_DETAIL = 160;

    private final ImageLimits limits;

    public ImageLoader() {
        this(ImageLimits.DEFAULT);
    }

    public ImageLoader(ImageLimits limits) {
        this.limits = limits;
    }

    public ImageLimits limits() {
        return limits;
    }

    /** Decodes an image file; errors name the path as given. */
    public BufferedImage load(Path file) {
        String name = file.toString();
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new GlimpseException(name + ": is a directory, not an image file");
            }
            checkSize(Files.size(file), name);
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new GlimpseException(name + ": no such file");
        } catch (IOException e) {
            throw new GlimpseException(name + ": cannot read file (" + oneLine(e) + ")", e);
        } catch (OutOfMemoryError e) {
            throw new GlimpseException(name + ": not enough memory to read the file", e);
        }
        return load(bytes, name);
    }

    /** Decodes encoded image bytes (an upload, a zip entry); {@code sourceName} starts every error message. */
    public BufferedImage load(byte[] bytes, String sourceName) {
        checkSize(bytes.length, sourceName);
        if (bytes.length == 0) {
            throw new GlimpseException(sourceName + ": empty file, not an image");
        }
        ImageFormat format = ImageFormat.sniff(bytes);
        if (format == null) {
            String known = ImageFormat.describeUnsupported(bytes);
            throw new GlimpseException(sourceName + ": "
                    + (known != null ? "unsupported image format " + known : "not a recognised image")
                    + " (supported: JPEG, PNG, GIF, BMP, TIFF, WebP)");
        }
        if (format == ImageFormat.PNG) {
            String problem = PngChunks.problem(bytes);
            if (problem != null) {
                throw new GlimpseException(sourceName + ": " + problem);
            }
        }
        try {
            BufferedImage decoded = decode(bytes, format, sourceName);
            BufferedImage rgb = RgbConverter.toRgb(decoded, BACKGROUND);
            return format == ImageFormat.JPEG ? ExifOrientation.apply(rgb, ExifOrientation.read(bytes)) : rgb;
        } catch (GlimpseException e) {
            throw e;
        } catch (EOFException e) {
            throw new GlimpseException(sourceName + ": truncated " + format + " data", e);
        } catch (IOException e) {
            if (e.getCause() instanceof EOFException) {
                throw new GlimpseException(sourceName + ": truncated " + format + " data", e);
            }
            throw new GlimpseException(sourceName + ": corrupt " + format + " data (" + oneLine(e) + ")", e);
        } catch (OutOfMemoryError e) {
            throw new GlimpseException(sourceName + ": not enough memory to decode this " + format + " image", e);
        } catch (RuntimeException | StackOverflowError e) {
            // Decoders fed damaged data throw whatever their arithmetic runs into.
            throw new GlimpseException(sourceName + ": corrupt " + format + " data (decoder failed: " + oneLine(e) + ")", e);
        }
    }

    private BufferedImage decode(byte[] bytes, ImageFormat format, String name) throws IOException {
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.imageIoName);
        if (!readers.hasNext()) {
            throw new GlimpseException(name + ": no " + format + " decoder installed");
        }
        ImageReader reader = readers.next();
        try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
            reader.setInput(in, true, false);
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            int width = reader.getWidth(0);
            int height = reader.getHeight(0);
            checkDimensions(width, height, bytesPerPixel(reader), name, format);
            BufferedImage image = reader.read(0, reader.getDefaultReadParam());
            for (String warning : warnings) {
                if (isDataLoss(warning)) {
                    throw new GlimpseException(name + ": " + describeLoss(warning, format));
                }
            }
            return image;
        } finally {
            reader.dispose();
        }
    }

    private void checkSize(long size, String name) {
        if (size > limits.maxBytes()) {
            throw new GlimpseException(name + ": file of " + size + " bytes exceeds the limit of " + limits.maxBytes() + " bytes");
        }
    }

    private void checkDimensions(int width, int height, int bytesPerPixel, String name, ImageFormat format) {
        if (width <= 0 || height <= 0) {
            throw new GlimpseException(name + ": " + format + " header gives no valid size (" + width + "x" + height + ")");
        }
        long pixels = (long) width * height;
        if (pixels > limits.maxPixels()) {
            throw new GlimpseException(name + ": " + width + "x" + height + " pixels exceeds the limit of " + limits.maxPixels());
        }
        // Decoded raster plus the RGB copy; refusing here beats an OutOfMemoryError halfway through.
        long needed = pixels * (bytesPerPixel + 4L);
        long allowed = (long) (Runtime.getRuntime().maxMemory() * MAX_HEAP_SHARE);
        if (needed > allowed) {
            throw new GlimpseException(name + ": " + width + "x" + height + " pixels needs about " + (needed >> 20)
                    + " MB to decode, more than the " + (allowed >> 20) + " MB allowed for images");
        }
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

    /**
     * ImageIO's JPEG decoder reports a truncated or damaged entropy stream only as a warning and
     * fills what it could not decode with gray; those warnings are errors here. Warnings that leave
     * every pixel decoded stay warnings: junk between markers ("extraneous bytes before marker"),
     * odd scan parameters, unusable ICC profiles or metadata.
     */
    static boolean isDataLoss(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        if (w.contains("extraneous bytes")) {
            return false;
        }
        return w.contains("premature end") || w.contains("truncat") || w.contains("corrupt jpeg data")
                || w.contains("bad huffman") || w.contains("bad arithmetic") || w.contains("instead of rst")
                || w.contains("inconsistent progression");
    }

    private static String describeLoss(String warning, ImageFormat format) {
        String w = warning.toLowerCase(Locale.ROOT);
        if (w.contains("premature end") || w.contains("truncat")) {
            return "truncated " + format + " data";
        }
        return "corrupt " + format + " data (" + warning.strip() + ")";
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage();
        String text = message == null || message.isBlank() ? e.getClass().getSimpleName()
                : e instanceof IOException ? message : e.getClass().getSimpleName() + ": " + message;
        text = text.replaceAll("\\s+", " ").strip();
        // Some decoders put whole dumps in their messages; the user needs the gist on one line.
        return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "...";
    }
}

package dev.glimpse.common.image;

import dev.glimpse.common.GlimpseException;
import java.awt.Color;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Decodes JPEG, PNG, GIF (first frame), BMP, TIFF (first page) and WebP into an upright sRGB
 * TYPE_INT_RGB image, the one pixel layout the rest of Glimpse reads.
 *
 * <p>Every file is untrusted, and the rule is that Glimpse captions only a picture the file
 * defines unambiguously:
 * <ol>
 *   <li>the format is taken from the content (Commons Imaging's magic numbers), never the name;
 *   <li>the header is read and held to the format's rules before any pixel is decoded (PNG chunks
 *       and checksums, JPEG frame and Adobe markers, BMP and TIFF layout, see {@link FormatRules}),
 *       and the size it claims is checked against the pixel and memory limits;
 *   <li>ImageIO (with the TwelveMonkeys plugins) decodes the pixels; a size it reads that differs
 *       from the header's, a decoder warning (damaged data it filled in, markers it chose to
 *       ignore, see {@link DecoderWarnings}), or a palette index without a colour is a refusal;
 *   <li>where ImageIO says the file uses something it does not implement, Commons Imaging decodes
 *       it instead, behind the same checks;
 *   <li>an embedded ICC profile the decoder did not apply is applied (pixels end up in sRGB), the
 *       EXIF orientation is applied, transparency is composited over white.
 * </ol>
 * Every refusal is a {@link GlimpseException} whose one-line message starts with the source name;
 * whatever a decoder throws on fuzzed input (ArrayIndexOutOfBounds, NegativeArraySize,
 * OutOfMemoryError) is reported the same way.
 *
 * <p>Thread-safe: every call uses its own ImageIO reader.
 */
public final class ImageLoader {
    /** Transparent pixels are composited over this colour (white, as browsers show them on a page). */
    public static final Color BACKGROUND = Color.WHITE;

    /** Decoding may use at most this share of the maximum heap; the rest belongs to the models. */
    static final double MAX_HEAP_SHARE = 0.5;

    private static final int MAX_DETAIL = 160;

    static {
        // Commons Imaging refuses single allocations above this (read once, when it first loads);
        // its default of 1 GB is more than the share of the heap images may take.
        String key = "org.apache.commons.imaging.common.Allocator";
        if (System.getProperty(key) == null) {
            long share = (long) (Runtime.getRuntime().maxMemory() * MAX_HEAP_SHARE);
            System.setProperty(key, Long.toString(Math.min(Integer.MAX_VALUE, share)));
        }
    }

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
            // Read at most one byte past the limit: a device or pipe reports size 0 and may never end.
            try (InputStream in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) Math.min(limits.maxBytes() + 1, Integer.MAX_VALUE - 8));
            }
            if (bytes.length > limits.maxBytes()) {
                throw new GlimpseException(name + ": more than the limit of " + limits.maxBytes() + " bytes");
            }
        } catch (NoSuchFileException e) {
            throw new GlimpseException(name + ": no such file");
        } catch (AccessDeniedException e) {
            throw new GlimpseException(name + ": permission denied");
        } catch (IOException e) {
            throw new GlimpseException(name + ": cannot read file (" + oneLine(e) + ")", e);
        } catch (OutOfMemoryError e) {
            throw new GlimpseException(name + ": not enough memory to read the file", e);
        }
        return load(bytes, name);
    }

    /** Decodes encoded image bytes (an upload, a zip entry); {@code sourceName} starts every error message. */
    public BufferedImage load(byte[] bytes, String sourceName) {
        return checked(bytes, sourceName, this::decode);
    }

    /**
     * The pixel count the header claims, held to the same format rules and limits as {@link #load},
     * without decoding a pixel: what a server budgets decoding memory with before it decodes. A
     * format whose header gives no size counts as the largest image allowed.
     */
    public long headerPixels(byte[] bytes, String sourceName) {
        return checked(bytes, sourceName, (file, format) -> {
            FormatRules.Header header = FormatRules.check(file, format);
            if (header.width() <= 0) {
                return limits.maxPixels();
            }
            new SizeCheck(limits, format).check(header.width(), header.height(), 4, "header");
            return (long) header.width() * header.height();
        });
    }

    private interface Step<T> {
        T run(byte[] file, ImageFormat format) throws IOException;
    }

    /** Runs a step over a file's bytes with every failure as one line starting with the source name. */
    private <T> T checked(byte[] bytes, String sourceName, Step<T> step) {
        checkSize(bytes.length, sourceName);
        if (bytes.length == 0) {
            throw new GlimpseException(sourceName + ": empty file, not an image");
        }
        ImageFormat format = ImageFormat.detect(bytes);
        if (format == null) {
            String known = ImageFormat.describeUnsupported(bytes);
            throw new GlimpseException(sourceName + ": "
                    + (known != null ? "unsupported image format " + known : "not a recognised image")
                    + " (supported: JPEG, PNG, GIF, BMP, TIFF, WebP)");
        }
        try {
            return step.run(bytes, format);
        } catch (ImageProblem e) {
            throw new GlimpseException(sourceName + ": " + e.getMessage());
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

    private BufferedImage decode(byte[] file, ImageFormat format) throws IOException {
        FormatRules.Header header = FormatRules.check(file, format);
        byte[] bytes = header.bytes();
        SizeCheck sizes = new SizeCheck(limits, format);
        if (header.width() > 0) {
            sizes.check(header.width(), header.height(), 4, "header");
        }
        BufferedImage decoded;
        boolean profileApplied;
        try {
            ImageIoDecoder.Decoded d = ImageIoDecoder.decode(bytes, format, sizes, header.paletteSize());
            decoded = d.image();
            profileApplied = d.appliesProfiles();
        } catch (ImageIoDecoder.Unsupported e) {
            decoded = ImagingDecoder.decode(bytes, format, sizes, header.paletteSize(), oneLine(e));
            profileApplied = true; // Commons Imaging converts with the file's profile where it reads one
        }
        BufferedImage rgb = RgbConverter.toRgb(decoded, BACKGROUND);
        if (!profileApplied) {
            ICC_Profile profile = IccColor.usable(header.iccProfile(), header.gray());
            if (profile != null) {
                rgb = IccColor.toSrgb(rgb, profile);
            }
        }
        return Orientation.apply(rgb, Orientation.read(bytes, format, header.exif()));
    }

    private void checkSize(long size, String name) {
        if (size > limits.maxBytes()) {
            throw new GlimpseException(name + ": file of " + size + " bytes exceeds the limit of " + limits.maxBytes() + " bytes");
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage();
        String text = message == null || message.isBlank() ? e.getClass().getSimpleName()
                : e instanceof IOException || e instanceof ImageIoDecoder.Unsupported ? message
                : e.getClass().getSimpleName() + ": " + message;
        text = text.replaceAll("\\s+", " ").strip();
        // Some decoders put whole dumps in their messages; the user needs the gist on one line.
        return text.length() <= MAX_DETAIL ? text : text.substring(0, MAX_DETAIL) + "...";
    }
}

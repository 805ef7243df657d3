package dev.glimpse.common.image;

import java.util.List;
import java.util.Locale;

/**
 * What a warning from an ImageIO decoder means for the file. A decoder warns when it met something
 * it had to guess about (a damaged entropy segment it filled with gray, junk between segments, a
 * contradicting marker it chose to ignore, a missing tag it replaced with a default), so a warning
 * is a refusal: the picture we would get is one decoder's guess, not what the file holds.
 *
 * <p>The only exceptions are warnings about embedded metadata that the file's pixels do not depend
 * on, or that Glimpse handles itself: an unusable ICC profile (the pixels are then taken as sRGB,
 * as browsers do), a CMYK JPEG without a profile (converted with a generic CMYK profile), 16-bit
 * quantization tables (legal in the standard, read exactly), chunks a WebP reader must skip, and
 * TwelveMonkeys' "strip/tileByteCount &lt; required", which it also says of a valid TIFF's shorter last
 * strip ({@link TiffStructure} checks every uncompressed strip's length itself).
 */
final class DecoderWarnings {
    private static final List<String> HARMLESS = List.of(
            "icc profile", "icc color profile", "icc_profile", "color profile",
            "16 bit dqt",
            "bytecount < required",
            "unknown webp chunk", "ignoring unsupported chunk");

    private DecoderWarnings() {}

    /** Whether the warning leaves every pixel as the file defines it. */
    static boolean harmless(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        for (String h : HARMLESS) {
            if (w.contains(h)) {
                return true;
            }
        }
        return false;
    }

    /** The refusal for a warning that is not harmless. */
    static ImageProblem refusal(String warning, ImageFormat format) {
        String w = warning.toLowerCase(Locale.ROOT);
        if (w.contains("premature end") || w.contains("truncat") || w.contains("missing eoi")) {
            return ImageProblem.truncated(format, null);
        }
        return ImageProblem.corrupt(format, warning.replaceAll("\\s+", " ").strip());
    }
}

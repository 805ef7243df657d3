package dev.glimpse.common.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.glimpse.common.GlimpseException;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Timeout;

/**
 * Arbitrary bytes as an image: {@link ImageLoader#load(byte[], String)} ends in a compact sRGB
 * image or a one-line {@link GlimpseException} naming the source, never another exception, a hang
 * or an OutOfMemoryError. The pixel limit is lowered to 4 megapixels so each input decodes in
 * milliseconds; the real limits are tested in {@link ImageLoaderTest}.
 *
 * <p>{@code mvn -B test} runs this over the kept inputs in {@code ImageFuzzTestInputs/} (small valid
 * files of every format and every input a fuzzing run found a problem with); the README's fuzzing
 * command runs it coverage-guided.
 */
class ImageFuzzTest {
    private static final ImageLoader LOADER = new ImageLoader(ImageLimits.DEFAULT.withMaxPixels(4_000_000));

    @FuzzTest(maxDuration = "30m")
    @Timeout(10)
    void loadsOrRefuses(byte[] data) {
        try {
            BufferedImage image = LOADER.load(data, "fuzz");
            if (!RgbConverter.isCompactIntRgb(image)) {
                throw new AssertionError("decoded image is not compact TYPE_INT_RGB: " + image);
            }
        } catch (GlimpseException e) {
            String m = e.getMessage();
            if (m == null || !m.startsWith("fuzz: ") || m.length() < 8 || m.contains("\n") || m.contains("\r")) {
                throw new AssertionError("refusal is not one line naming the source: " + m, e);
            }
        }
    }
}

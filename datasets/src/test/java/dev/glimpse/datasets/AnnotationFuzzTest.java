package dev.glimpse.datasets;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.glimpse.common.GlimpseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;

/**
 * Arbitrary bytes as an annotation file: every reader ends in a corpus or a {@link GlimpseException},
 * never another exception, a hang or an OutOfMemoryError. The first byte picks the reader (COCO
 * captions, Karpathy split, VQA questions + annotations split at the first NUL byte, VQA questions
 * alone) and whether image files must exist; the rest is the file.
 *
 * <p>{@code mvn -B test} runs this over the kept inputs in {@code AnnotationFuzzTestInputs/}; the
 * README's fuzzing command runs it coverage-guided.
 */
class AnnotationFuzzTest {
    private static final Path DIR = tempDir();

    @FuzzTest(maxDuration = "30m")
    @Timeout(10)
    void readsOrRefuses(byte[] data) throws IOException {
        if (data.length == 0) {
            return;
        }
        int mode = data[0] & 0xFF;
        byte[] body = Arrays.copyOfRange(data, 1, data.length);
        ReadOptions options = (mode & 4) != 0 ? ReadOptions.REQUIRE_FILES : ReadOptions.DEFAULT;
        Path images = DIR.resolve("images");
        try {
            switch (mode & 3) {
                case 0 -> CocoCaptionsReader.read(write("captions.json", body), images, options);
                case 1 -> KarpathyReader.read(write("dataset.json", body), images, options);
                case 2 -> {
                    int split = indexOf(body, (byte) 0);
                    byte[] questions = split < 0 ? body : Arrays.copyOf(body, split);
                    byte[] answers = split < 0 ? new byte[0] : Arrays.copyOfRange(body, split + 1, body.length);
                    VqaReader.read(write("questions.json", questions), write("annotations.json", answers), images, options);
                }
                default -> VqaReader.read(write("questions.json", body), null, images, options);
            }
        } catch (GlimpseException e) {
            // The contract: a clear one-line refusal.
            if (e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().contains("\n")) {
                throw new AssertionError("refusal is not one line: " + e.getMessage(), e);
            }
        }
    }

    private static Path write(String name, byte[] bytes) throws IOException {
        return Files.write(DIR.resolve(name), bytes);
    }

    private static int indexOf(byte[] b, byte value) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    /** One folder for the whole run, with a few image files the seeds name. */
    private static Path tempDir() {
        try {
            Path dir = Files.createTempDirectory("glimpse-annotation-fuzz");
            Path images = Files.createDirectories(dir.resolve("images"));
            for (String name : new String[] {"000000000009.jpg", "000000391895.jpg", "COCO_train2014_000000458752.jpg",
                    "val2014/COCO_val2014_000000391895.jpg", "a.png"}) {
                Path file = images.resolve(name);
                Files.createDirectories(file.getParent());
                Files.write(file, new byte[] {1});
            }
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.glimpse.app;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.glimpse.captioning.model.CaptionModel;
import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.vqa.VqaModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Arbitrary bytes as a model file: reading it ({@link ModelBundle#read}) and loading it as the
 * model its manifest names (a captioner with its network, a VQA model) ends in a model or a
 * {@link GlimpseException}, never another exception, a hang or an OutOfMemoryError.
 *
 * <p>An input that starts with "PK" is the zip file itself (the zip reader's own parsing). Any
 * other input lists the entries of a zip the test writes with valid checksums, so that mutations
 * reach the entries' JSON and arrays rather than dying at the first CRC check: each entry is
 * {@code ==name==\n} followed by its content. The kept inputs in {@code ModelFileFuzzTestInputs/}
 * are tiny valid models in both forms.
 */
class ModelFileFuzzTest {
    private static final Path FILE = tempFile();
    private static final byte[] MARK = "==".getBytes(StandardCharsets.US_ASCII);

    /** ND4J's first network takes seconds to set up; that must not count against an input's time limit. */
    @BeforeAll
    static void warmUp() throws IOException {
        Backend.init();
        for (String seed : new String[] {"seed-captioner-zip", "seed-vqa-zip"}) {
            try (var in = ModelFileFuzzTest.class.getResourceAsStream("ModelFileFuzzTestInputs/loadsOrRefuses/" + seed)) {
                new ModelFileFuzzTest().loadsOrRefuses(in.readAllBytes());
            }
        }
    }

    @FuzzTest(maxDuration = "30m")
    @Timeout(20)
    void loadsOrRefuses(byte[] data) throws IOException {
        Files.write(FILE, data.length >= 2 && data[0] == 'P' && data[1] == 'K' ? data : zip(data));
        try {
            ModelBundle bundle = ModelBundle.read(FILE);
            if (CaptionModel.KIND.equals(bundle.kind())) {
                CaptionModel.from(bundle, FILE).newNet(FILE);
            } else if (VqaModel.KIND.equals(bundle.kind())) {
                VqaModel.load(FILE);
            }
        } catch (GlimpseException e) {
            if (e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().contains("\n")) {
                throw new AssertionError("refusal is not one line: " + e.getMessage(), e);
            }
        }
    }

    /** The entries listed as {@code ==name==\n content}, as a zip with valid checksums. */
    static byte[] zip(byte[] listing) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            int pos = 0;
            java.util.Set<String> names = new java.util.HashSet<>();
            while (true) {
                int start = indexOf(listing, MARK, pos);
                if (start < 0) {
                    break;
                }
                int nameEnd = indexOf(listing, "==\n".getBytes(StandardCharsets.US_ASCII), start + 2);
                if (nameEnd < 0) {
                    break;
                }
                String name = new String(listing, start + 2, nameEnd - start - 2, StandardCharsets.UTF_8);
                int contentStart = nameEnd + 3;
                int next = indexOf(listing, "\n==".getBytes(StandardCharsets.US_ASCII), contentStart);
                int contentEnd = next < 0 ? listing.length : next;
                if (!name.isEmpty() && names.add(name)) {
                    zip.putNextEntry(new ZipEntry(name));
                    zip.write(listing, contentStart, contentEnd - contentStart);
                    zip.closeEntry();
                }
                if (next < 0) {
                    break;
                }
                pos = next + 1;
            }
        } catch (IllegalArgumentException e) {
            // A name the zip format cannot hold: write what we have.
        }
        return bytes.toByteArray();
    }

    /** The inverse of {@link #zip}: a model file as a listing, for making seed inputs. */
    static void list(Path model, OutputStream out) throws IOException {
        try (java.util.zip.ZipInputStream in = new java.util.zip.ZipInputStream(Files.newInputStream(model))) {
            ZipEntry e;
            boolean first = true;
            while ((e = in.getNextEntry()) != null) {
                out.write(((first ? "" : "\n") + "==" + e.getName() + "==\n").getBytes(StandardCharsets.UTF_8));
                in.transferTo(out);
                first = false;
            }
        }
    }

    private static int indexOf(byte[] b, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i <= b.length - pattern.length; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (b[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static Path tempFile() {
        try {
            Path dir = Files.createTempDirectory("glimpse-model-fuzz");
            dir.toFile().deleteOnExit();
            Path file = dir.resolve("model.glimpse");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

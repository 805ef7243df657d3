package dev.glimpse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.bundle.ModelBundle;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command, at toy size: every step runs, models are installed and usable. */
class QuickstartCommandTest {
    @TempDir
    Path dir;

    @Test
    void generatesTrainsInstallsAndTriesBothModels() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path models = dir.resolve("models");
        int code = Main.run(new String[] {"quickstart", "--work", dir.resolve("work").toString(), "--models",
                models.toString(), "--train", "24", "--val", "8", "--caption-epochs", "1", "--vqa-epochs", "1",
                "--fine-tune", "none"}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, out + "\n" + err);
        assertEquals(null, dev.glimpse.common.imageside.ImageSide.read(ModelBundle.read(models.resolve("captioner.zip")),
                models.resolve("captioner.zip")).tuned(), "--fine-tune none keeps the frozen encoder");
        assertEquals("captioner", ModelBundle.read(models.resolve("captioner.zip")).kind());
        assertEquals("vqa", ModelBundle.read(models.resolve("vqa.zip")).kind());
        String text = out.toString();
        assertTrue(text.matches("(?s).*000001000001\\.png\\t\\S.*"), "a caption line for the sample: " + text);
        assertTrue(text.contains("CIDEr-D") && text.contains("accuracy"), text);
        assertTrue(text.matches("(?s).*\\n  one-object scenes: (colour\\+shape right \\d+/\\d+|none).*"), text);
        assertTrue(Files.size(dir.resolve("work/sample-attention.png")) > 0);
    }

    /** A size the encoder cannot take, or a batch training cannot, is refused at once, in one line, before minutes of scene drawing. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"--encoder-size, 20", "--caption-batch, 0", "--caption-batch, 5000"})
    void refusesOutOfRangeSizesBeforeDrawingScenes(String option, String value) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"quickstart", "--work", dir.resolve("work").toString(), "--models",
                dir.resolve("models").toString(), option, value}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertTrue(code != 0, "exit code " + code);
        assertTrue(err.toString().contains(option) && err.toString().strip().lines().count() == 1, err.toString());
        assertTrue(!Files.exists(dir.resolve("work/scenes")), "no scenes drawn");
    }

    /** The default: the encoder learns; the VQA model reads the captioner's fine-tuned encoder and records the same tuned parameters. */
    @Test
    void fineTunedQuickstartSharesTheTunedEncoder() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path models = dir.resolve("models");
        int code = Main.run(new String[] {"quickstart", "--work", dir.resolve("work").toString(), "--models",
                models.toString(), "--train", "24", "--val", "8", "--caption-epochs", "1", "--vqa-epochs", "1"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, out + "\n" + err);
        Path cap = models.resolve("captioner.zip");
        Path vqa = models.resolve("vqa.zip");
        dev.glimpse.common.imageside.ImageSide capSide = dev.glimpse.common.imageside.ImageSide.read(ModelBundle.read(cap), cap);
        dev.glimpse.common.imageside.ImageSide vqaSide = dev.glimpse.common.imageside.ImageSide.read(ModelBundle.read(vqa), vqa);
        assertTrue(capSide.tuned() != null && capSide.tuned().values().size() > 10, "the whole encoder was tuned");
        assertTrue(vqaSide.tuned() != null && vqaSide.tuned().sameValues(capSide.tuned()), "VQA reads the captioner's tuned encoder");
        assertEquals(128, vqaSide.encoder().preprocess().inputSize(), "the scenes' own size");
        String text = out.toString();
        assertTrue(text.matches("(?s).*000001000001\\.png\\t\\S.*"), "a caption line for the sample: " + text);
        assertTrue(text.contains("one-object scenes"), text);
    }
}

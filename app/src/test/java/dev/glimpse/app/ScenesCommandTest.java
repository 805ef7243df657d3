package dev.glimpse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenesCommandTest {
    @TempDir
    Path dir;

    private int run(StringWriter out, StringWriter err, String... args) {
        return Main.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    @Test
    void writesScenesAndSaysWhere() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = run(out, err, "scenes", "--out", dir.toString(), "--train", "4", "--val", "2", "--seed", "3",
                "--size", "64");
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("wrote 4+2 scenes of 64x64 px (seed 3)"), out.toString());
        assertTrue(out.toString().contains(dir.resolve("captions_train.json").toString()));
        assertTrue(Files.exists(dir.resolve("images/val/000001000002.png")));
        assertTrue(Files.exists(dir.resolve("vqa_annotations_val.json")));
    }

    @Test
    void badInputIsExitTwoWithOneLine() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(2, run(out, err, "scenes", "--out", dir.toString(), "--train", "4", "--val", "2", "--size", "8"));
        assertEquals("glimpse: scene size must be between 32 and 1024 pixels, got 8", err.toString().strip());
        assertEquals(2, run(out, new StringWriter(), "scenes", "--train", "4", "--val", "2"));
    }
}

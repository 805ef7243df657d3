package dev.glimpse.captioning.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptionTokenizerTest {
    @TempDir
    Path tmp;

    @Test
    void equalsTheCoreNlpCommandLineOnATrickyCorpus() throws Exception {
        List<String> corpus = TrickyCaptions.corpus(7, 200);
        // Raw PTB output, byte for byte, then the punctuation-filtered captions.
        String batch = CaptionTokenizer.joinBatch(corpus);
        assertEquals(List.of(CoreNlpCommandLine.run(batch, tmp).split("\n", -1)), CaptionTokenizer.ptbLines(batch));
        assertEquals(CoreNlpCommandLine.tokenize(corpus, tmp), CaptionTokenizer.tokenize(corpus));
    }

    @Test
    void knownTokenizations() {
        List<String> got = CaptionTokenizer.tokenize(List.of(
                "Don't worry, it's fine!",
                "A 3.5 inch screen and 1,000 people.",
                "A well-known e-mail -- sent - today...",
                "(In parentheses)",
                "Caf\u00e9 \u00dcBER",
                "Two lines\ninside",
                "",
                "!!! ?",
                "3 1/2"));
        assertEquals(List.of(
                "do n't worry it 's fine",
                "a 3.5 inch screen and 1,000 people",
                "a well-known e-mail sent today",
                "-lrb- in parentheses -rrb-",   // lower-cased before the (case-sensitive) filter
                "caf\u00e9 \u00fcber",
                "two lines inside",
                "",
                "!!!",                            // one token, and not in coco-caption's list
                "3\u00a01/2"), got);              // PTB joins fractions with a no-break space
    }

    @Test
    void refusesLineBreaksThatWouldShiftTheBatch() {
        var e = assertThrows(CaptionTokenizer.LineBreakException.class,
                () -> CaptionTokenizer.tokenize(List.of("fine", "carriage\rreturn", "fine too")));
        assertEquals(1, e.index());
        assertTrue(e.getMessage().contains("\\u000d"), e.getMessage());
        for (String c : List.of("a\u2028b", "a\u2029b", "a\u000bb", "a\u000cb")) {
            assertThrows(CaptionTokenizer.LineBreakException.class, () -> CaptionTokenizer.tokenize(List.of(c)));
        }
    }

    @Test
    void pythonStringSemantics() {
        assertEquals(List.of("3", "1/2", "x"), PyStrings.splitWhitespace(" 3\u00a01/2\u2003x "));
        assertEquals(List.of(), PyStrings.splitWhitespace(""));
        assertEquals(List.of(""), PyStrings.split("", ' '));
        assertEquals(List.of("a", "", "b"), PyStrings.split("a  b", ' '));
        assertEquals("a b", PyStrings.rstrip("a b \u00a0\t"));
    }
}

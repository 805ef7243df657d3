package dev.glimpse.captioning.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The METEOR subprocess protocol, against {@link FakeMeteor} packed as a runnable jar. */
class MeteorEvalTest {
    @TempDir
    Path tmp;

    private Path fakeJar() throws Exception {
        Path classes = Path.of(FakeMeteor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeMeteor.class.getName());
        mf.getMainAttributes().put(Attributes.Name.CLASS_PATH, classes.toUri().toString());
        Path dir = Files.createDirectories(tmp.resolve("meteor"));
        Path jar = dir.resolve("meteor-1.5.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
            j.flush();
        }
        return jar;
    }

    @Test
    void speaksCocoCaptionsProtocol() throws Exception {
        Path jar = fakeJar();
        MetricScore s;
        try (Meteor m = Meteor.start(jar)) {
            s = m.score(List.of(List.of("a dog", "the dog runs"), List.of("a cat")),
                    List.of("a dog runs fast", "a ||| cat"));
        }
        assertEquals("METEOR", s.name());
        assertArrayEquals(new double[] {0.4, 0.2}, s.perImage(), 0);
        assertEquals(0.3, s.corpus(), 1e-12);
        List<String> log = Files.readAllLines(jar.getParent().resolve("fake-meteor.log"));
        assertEquals(List.of(
                "ARGS - - -stdio -l en -norm",
                "SCORE ||| a dog ||| the dog runs ||| a dog runs fast",
                "SCORE ||| a cat ||| a cat",           // "|||" removed from the hypothesis, "  " -> " "
                "EVAL ||| 2 4 ||| 1 2"), log);
    }

    @Test
    void evaluatorAddsMeteorBetweenBleuAndRouge() throws Exception {
        try (Meteor m = Meteor.start(fakeJar())) {
            EvaluationReport r = CaptionEvaluator.evaluate(
                    Map.of(1L, List.of("A dog.")), Map.of(1L, "A dog runs."), m);
            assertEquals(List.of("Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4", "METEOR", "ROUGE_L", "CIDEr"),
                    List.copyOf(r.scores().keySet()));
            assertEquals(0.3, r.score("METEOR"), 1e-12);   // tokenized "a dog runs": 3 words
        }
    }

    @Test
    void failuresAreReported() throws Exception {
        try (Meteor m = Meteor.start(fakeJar())) {
            var e = assertThrows(GlimpseException.class, () -> m.score(List.of(List.of("x")), List.of("die")));
            assertTrue(e.getMessage().contains("METEOR stopped") && e.getMessage().contains("boom"), e.getMessage());
        }
        var missing = assertThrows(GlimpseException.class, () -> Meteor.start(tmp.resolve("nope.jar")));
        assertTrue(missing.getMessage().endsWith("nope.jar: METEOR jar not found"), missing.getMessage());
    }
}

package dev.glimpse.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.app.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@code glimpse-spark features} against {@code glimpse features} itself: same options, same cache. */
class SparkMainTest {
    @TempDir
    static Path dir;
    static TestData data;
    static Path cliCache;

    record Result(int code, String out, String err) {}

    static Result spark(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkMain.run(args, LocalSpark::context, ImageSource.hadoop(), new PrintWriter(out, true),
                new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static List<String> featureArgs(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("features", "--images", data.images.toString(),
                "--captions", data.captions.toString(), "--encoder", "squeezenet", "--random-init-encoder", "--batch", "2",
                "--out", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    /** The arguments with one option's value replaced. */
    static String[] with(List<String> args, String option, String value) {
        List<String> a = new ArrayList<>(args);
        a.set(a.indexOf(option) + 1, value);
        return a.toArray(String[]::new);
    }

    @BeforeAll
    static void cliRun() throws IOException {
        data = TestData.write(dir, 5, 9);
        cliCache = dir.resolve("cli-cache");
        StringWriter out = new StringWriter();
        int code = Main.run(featureArgs(cliCache).toArray(String[]::new), new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true));
        assertEquals(0, code, out.toString());
    }

    @Test
    void theCliArgumentsGiveTheCliCache() throws IOException {
        Path out = dir.resolve("spark-cache");
        Result r = spark(featureArgs(out, "--partitions", "2").toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("images: 6 listed, 0 already cached, 5 encoded, 1 skipped"), r.out());
        assertTrue(r.err().contains("skipped image " + TestData.MISSING_ID + ": "), r.err());
        assertTrue(r.err().contains("encoder: squeezenet (UNTRAINED random-init seed=12345"), r.err());
        SparkFeaturesTest.assertSameBytes(cliCache, out);
    }

    @Test
    void everyOptionOfGlimpseFeaturesIsAcceptedWithTheSameDefault() {
        CommandLine cli = new CommandLine(new Main()).getSubcommands().get("features");
        CommandLine ours = new CommandLine(new SparkMain())
                .addSubcommand(new CommandLine(new SparkFeaturesCommand(LocalSpark::context, ImageSource.hadoop())))
                .getSubcommands().get("features");
        Map<String, OptionSpec> mine = new TreeMap<>();
        for (OptionSpec o : ours.getCommandSpec().options()) {
            mine.put(o.longestName(), o);
        }
        for (OptionSpec o : cli.getCommandSpec().options()) {
            OptionSpec m = mine.get(o.longestName());
            assertTrue(m != null, o.longestName() + " of glimpse features is missing");
            assertEquals(o.defaultValue(), m.defaultValue(), o.longestName() + " default");
            assertEquals(o.required(), m.required(), o.longestName() + " required");
            assertEquals(o.arity(), m.arity(), o.longestName() + " arity");
            assertEquals(o.paramLabel(), m.paramLabel(), o.longestName() + " label");
        }
    }

    @Test
    void badInputIsOneLineAndExitCode2() throws IOException {
        Result noFolder = spark("features", "--images", dir.resolve("nope").toString(), "--captions",
                data.captions.toString(), "--out", dir.resolve("x").toString());
        assertEquals(SparkMain.INPUT, noFolder.code());
        assertEquals("glimpse-spark: " + dir.resolve("nope") + ": image folder not found", noFolder.err().strip());

        Result batch = spark(with(featureArgs(dir.resolve("x")), "--batch", "0"));
        assertEquals(SparkMain.INPUT, batch.code());
        assertTrue(batch.err().startsWith("glimpse-spark: batch size must be at least 1"), batch.err());

        Result encoder = spark(with(featureArgs(dir.resolve("x")), "--encoder", "alexnet"));
        assertEquals(SparkMain.INPUT, encoder.code());
        assertTrue(encoder.err().startsWith("glimpse-spark: unknown encoder \"alexnet\""), encoder.err());

        Result missingOut = spark("features", "--images", data.images.toString(), "--captions", data.captions.toString());
        assertEquals(SparkMain.INPUT, missingOut.code());

        Result both = spark(featureArgs(dir.resolve("x"), "--encoder-weights", data.captions.toString()).toArray(String[]::new));
        assertEquals(SparkMain.INPUT, both.code());
        assertTrue(both.err().startsWith("glimpse-spark: --random-init-encoder and --encoder-weights"), both.err());

        // A weights file that is no model: the executor that opens it fails; one line names the file as given.
        List<String> args = featureArgs(dir.resolve("x"), "--encoder-weights", data.captions.toString());
        args.remove("--random-init-encoder");
        Result bogus = spark(args.toArray(String[]::new));
        assertEquals(SparkMain.INPUT, bogus.code(), bogus.err());
        String last = bogus.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertEquals("glimpse-spark: " + data.captions + ": not a DL4J model file (expected a zip written by ModelSerializer)", last);
        assertFalse(bogus.err().contains("Exception"), bogus.err());
    }

}

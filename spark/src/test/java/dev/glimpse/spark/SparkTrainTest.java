package dev.glimpse.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.app.Main;
import dev.glimpse.captioning.model.CaptionModel;
import dev.glimpse.common.Backend;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.datasets.scenes.SceneGenerator;
import dev.glimpse.datasets.scenes.SceneSummary;
import dev.glimpse.vqa.VqaModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.TaskContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on Spark in local mode (2 task threads, a failed task tried twice) against the CLI's
 * {@code glimpse train} on one machine: the same steps from the same seed reach the same parameters
 * to float tolerance; a failed task is retried without changing any number; a run cut off mid-epoch
 * continues with {@code --resume} to the uninterrupted run's parameters.
 */
class SparkTrainTest {
    /** Largest |spark - one machine| allowed per parameter, relative to max(1, |value|): float sums in another order. */
    static final double TOLERANCE = 1e-4;

    @TempDir
    static Path dir;
    static SceneSummary scenes;
    static Path cache;

    record Result(int code, String out, String err) {}

    static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    static Result spark(BeforeSlice beforeSlice, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = SparkMain.run(args, LocalSpark::context, ImageSource.hadoop(), beforeSlice, new PrintWriter(out, true),
                new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void data() {
        Backend.init();
        scenes = SceneGenerator.generate(dir.resolve("scenes"), 24, 6, 5, 64);
        cache = dir.resolve("features");
        for (var split : List.of(scenes.train(), scenes.val())) {
            Result r = cli("features", "--captions", split.captions().toString(), "--images", split.imageDir().toString(),
                    "--encoder", "squeezenet", "--random-init-encoder", "--encoder-size", "64", "--out", cache.toString());
            assertEquals(0, r.code(), r.err());
        }
    }

    static String[] captioner(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "captioner",
                "--captions", scenes.train().captions().toString(), "--images", scenes.train().imageDir().toString(),
                "--val-captions", scenes.val().captions().toString(), "--val-images", scenes.val().imageDir().toString(),
                "--features", cache.toString(), "--epochs", "2", "--batch", "16", "--lr", "0.01", "--dropout", "0",
                "--embed", "16", "--hidden", "32", "--attention-dim", "16", "--min-word-count", "1", "--val-beam", "1",
                "--checkpoint-every", "0", "--quiet", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static String[] vqa(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "vqa",
                "--questions", scenes.train().questions().toString(), "--annotations", scenes.train().annotations().toString(),
                "--images", scenes.train().imageDir().toString(),
                "--val-questions", scenes.val().questions().toString(), "--val-annotations", scenes.val().annotations().toString(),
                "--val-images", scenes.val().imageDir().toString(),
                "--features", cache.toString(), "--epochs", "2", "--batch", "24", "--lr", "0.01", "--dropout", "0",
                "--embed", "16", "--hidden", "32", "--layers", "1", "--fused", "32", "--quiet", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    static String[] plus(String[] args, String... extra) {
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /** The arguments with one option's value replaced. */
    static String[] with(String[] args, String option, String value) {
        List<String> a = new ArrayList<>(List.of(args));
        a.set(a.indexOf(option) + 1, value);
        return a.toArray(String[]::new);
    }

    static float[] captionerParams(Path checkpoint) {
        return CaptionModel.from(ModelBundle.read(checkpoint), checkpoint).params();
    }

    static float[] vqaParams(Path checkpoint) {
        return VqaModel.load(checkpoint).net().params().toFloatArray();
    }

    static void assertClose(float[] want, float[] got) {
        assertEquals(want.length, got.length);
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs(want[i] - got[i]) / Math.max(1, Math.abs(want[i])));
        }
        System.out.printf("spark vs one machine: largest relative difference %.3g over %d parameters%n", worst, want.length);
        assertTrue(worst <= TOLERANCE, "largest relative difference " + worst);
    }

    static double maxDiff(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    static Path ckpt(Path out) {
        String name = out.getFileName().toString();
        return out.resolveSibling(name.substring(0, name.length() - 4) + ".ckpt.zip");
    }

    @Test
    void captionerOnTwoPartitionsEqualsOneMachineAndCaptionsThroughTheCli() throws Exception {
        Path one = dir.resolve("cap-cli.zip");
        Result cli = cli(captioner(one));
        assertEquals(0, cli.code(), cli.err());
        Path two = dir.resolve("cap-spark.zip");
        Result spark = spark(BeforeSlice.NOTHING, plus(captioner(two), "--partitions", "2"));
        assertEquals(0, spark.code(), spark.err());
        assertTrue(spark.out().contains("best model: " + two), spark.out());
        assertTrue(spark.err().contains(" steps of 2.0 slices"), spark.err());

        float[] want = captionerParams(ckpt(one));
        assertClose(want, captionerParams(ckpt(two)));
        // the second epoch's steps moved the parameters far more than the tolerance: the comparison means something
        Path firstEpoch = dir.resolve("cap-cli-1.zip");
        assertEquals(0, cli(with(captioner(firstEpoch), "--epochs", "1")).code());
        assertTrue(maxDiff(want, captionerParams(ckpt(firstEpoch))) > 100 * TOLERANCE);

        Path image = Files.list(scenes.val().imageDir()).sorted().findFirst().orElseThrow();
        Result caption = cli("caption", image.toString(), "--model", two.toString());
        assertEquals(0, caption.code(), caption.err());
        assertTrue(caption.out().trim().length() > 0, caption.out());
    }

    @Test
    void vqaOnThreePartitionsEqualsOneMachine() {
        Path one = dir.resolve("vqa-cli.zip");
        Result cli = cli(vqa(one));
        assertEquals(0, cli.code(), cli.err());
        Path three = dir.resolve("vqa-spark.zip");
        Result spark = spark(BeforeSlice.NOTHING, plus(vqa(three), "--partitions", "3"));
        assertEquals(0, spark.code(), spark.err());
        assertTrue(spark.out().contains("wrote " + three), spark.out());
        float[] want = vqaParams(ckpt(one));
        assertClose(want, vqaParams(ckpt(three)));
        Path firstEpoch = dir.resolve("vqa-cli-1.zip");
        assertEquals(0, cli(with(vqa(firstEpoch), "--epochs", "1")).code());
        assertTrue(maxDiff(want, vqaParams(ckpt(firstEpoch))) > 100 * TOLERANCE);
    }

    /** Fails the first attempt of one slice task: Spark retries it, and the first attempt leaves no trace. */
    static final AtomicBoolean FAILED = new AtomicBoolean();

    static void failFirstAttempt(int epoch, int batch, int slice) {
        if (epoch == 0 && batch == 3 && slice == 1 && TaskContext.get().attemptNumber() == 0) {
            FAILED.set(true);
            throw new IllegalStateException("injected failure of a slice task's first attempt");
        }
    }

    /** Every attempt of one step fails: the job fails, the driver stops there, as if killed. */
    static void failEveryAttempt(int epoch, int batch, int slice) {
        if (epoch == 1 && batch == 2) {
            throw new IllegalStateException("injected failure of every attempt");
        }
    }

    @Test
    void aFailedTaskIsRetriedAndAStoppedRunResumesFromItsCheckpoint() throws Exception {
        // with dropout on: each slice draws its masks from its own stream, whichever worker runs it
        Path clean = dir.resolve("vqa-clean.zip");
        Result a = spark(BeforeSlice.NOTHING, plus(with(vqa(clean), "--dropout", "0.3"), "--partitions", "2", "--checkpoint-every", "2"));
        assertEquals(0, a.code(), a.err());
        float[] want = vqaParams(ckpt(clean));

        Path retried = dir.resolve("vqa-retried.zip");
        FAILED.set(false);
        Result b = spark(SparkTrainTest::failFirstAttempt, plus(with(vqa(retried), "--dropout", "0.3"), "--partitions", "2", "--checkpoint-every", "2"));
        assertEquals(0, b.code(), b.err());
        assertTrue(FAILED.get(), "the failure was injected");
        assertTrue(b.err().contains("1 failed task attempts (retried)"), b.err());
        // two slices: the sum does not depend on which finished first, so a retry changes no bit
        assertArrayEquals(want, vqaParams(ckpt(retried)));

        Path stopped = dir.resolve("vqa-stopped.zip");
        Result c = spark(SparkTrainTest::failEveryAttempt, plus(with(vqa(stopped), "--dropout", "0.3"), "--partitions", "2", "--checkpoint-every", "2"));
        assertEquals(SparkMain.INTERNAL, c.code(), c.err());
        assertTrue(Files.isRegularFile(ckpt(stopped)), "a checkpoint from before the failed step");
        Result d = spark(BeforeSlice.NOTHING, plus(with(vqa(stopped), "--dropout", "0.3"), "--partitions", "2", "--checkpoint-every", "2", "--resume"));
        assertEquals(0, d.code(), d.err());
        assertTrue(d.err().contains("resuming"), d.err());
        assertArrayEquals(want, vqaParams(ckpt(stopped)));
        assertArrayEquals(Files.readAllBytes(dir.resolve("vqa-clean.val-results.json")),
                Files.readAllBytes(dir.resolve("vqa-stopped.val-results.json")));
    }

    @Test
    void takesTheCliOptionsAndRefusesToEncodeImagesOnWorkers() {
        Result help = spark(BeforeSlice.NOTHING, "train", "captioner", "--help");
        assertEquals(0, help.code(), help.err());
        for (String option : List.of("--partitions", "--features", "--checkpoint-every", "--resume", "--attention-dim")) {
            assertTrue(help.out().contains(option), option + " in " + help.out());
        }
        List<String> noCache = new ArrayList<>(List.of(captioner(dir.resolve("never.zip"))));
        int at = noCache.indexOf("--features");
        noCache.remove(at + 1);
        noCache.remove(at);
        Result r = spark(BeforeSlice.NOTHING, noCache.toArray(String[]::new));
        assertEquals(SparkMain.INPUT, r.code(), r.err());
        assertTrue(r.err().startsWith("glimpse-spark: train captioner: training across workers reads a feature cache"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(!Files.exists(dir.resolve("never.zip")));
    }
}

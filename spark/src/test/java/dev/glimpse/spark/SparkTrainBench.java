package dev.glimpse.spark;

import dev.glimpse.app.DistributedTraining;
import dev.glimpse.common.Backend;
import dev.glimpse.common.train.TrainingLoop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import picocli.CommandLine;

/**
 * The README's local-mode training figures (a benchmark, not a test: it asserts nothing about time).
 * One epoch of {@code train captioner} with the CLI, with Spark {@code local[1]} (1 slice) and
 * {@code local[2]} (2 slices), in interleaved rounds. Run with
 * {@code -Dglimpse.bench.args="train captioner ... --epochs N ... --out X"} (the whole CLI command
 * line, spaces between arguments, {@code --epochs} given) and {@code -Dglimpse.bench.rounds=N}.
 */
@EnabledIfSystemProperty(named = "glimpse.bench.args", matches = ".+")
class SparkTrainBench {
    private static final Pattern DATA = Pattern.compile("data: (\\d+) training captions");
    private static final Pattern TRAIN_SECONDS = Pattern.compile("spark: (\\d+) steps of ([0-9.]+) slices, ([0-9.]+) s per step");

    @Test
    void captionsPerSecond() {
        Backend.init();
        String[] args = System.getProperty("glimpse.bench.args").trim().split("\\s+");
        int epochs = Integer.parseInt(args[Arrays.asList(args).indexOf("--epochs") + 1]);
        int rounds = Integer.getInteger("glimpse.bench.rounds", 1);
        for (int round = 1; round <= rounds; round++) {
            report(round, "CLI", cli(args), epochs);
            for (int n : new int[] {1, 2}) {
                JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster("local[" + n + "]")
                        .setAppName("glimpse-bench").set("spark.ui.enabled", "false")
                        .set("spark.driver.host", "127.0.0.1"));
                try {
                    List<String> a = new ArrayList<>(List.of(args));
                    a.addAll(List.of("--partitions", String.valueOf(n)));
                    StringWriter out = new StringWriter();
                    StringWriter err = new StringWriter();
                    int code = SparkMain.run(a.toArray(String[]::new), () -> sc, ImageSource.hadoop(), BeforeSlice.NOTHING,
                            new PrintWriter(out, true), new PrintWriter(err, true));
                    report(round, "spark local[" + n + "]", code == 0 ? err.toString() : "failed: " + err, epochs);
                } finally {
                    sc.stop();
                }
            }
        }
    }

    /** The CLI's own command on this machine, its gradient computation timed as the Spark steps are. */
    private static String cli(String[] args) {
        long[] steps = new long[2];
        TrainingLoop.GradientsFactory timed = task -> (epoch, batch) -> {
            long t0 = System.nanoTime();
            TrainingLoop.StepLoss l = task.step(epoch, batch);
            if (steps[0]++ > 0) { // as the Spark figures: the first step apart
                steps[1] += System.nanoTime() - t0;
            }
            return l;
        };
        CommandLine cl = DistributedTraining.command(args[1], timed);
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(Arrays.copyOfRange(args, 2, args.length));
        return code == 0 ? err + String.format("spark: %d steps of 1.0 slices, %.3f s per step after the first (one machine, no Spark)%n",
                steps[0], steps[1] / 1e9 / Math.max(1, steps[0] - 1)) : "failed: " + err;
    }

    private static void report(int round, String what, String err, int epochs) {
        Matcher d = DATA.matcher(err);
        Matcher s = TRAIN_SECONDS.matcher(err);
        if (!d.find() || !s.find()) {
            System.out.printf("BENCH round %d %-16s no figures: %s%n", round, what, err);
            return;
        }
        long captions = (long) Integer.parseInt(d.group(1)) * epochs;
        int steps = Integer.parseInt(s.group(1));
        double perStep = Double.parseDouble(s.group(3));
        System.out.printf("BENCH round %d %-16s %6.2f captions/s (%d captions, %d steps, %.3f s per step after the first)%n",
                round, what, captions / (double) steps / perStep, captions, steps, perStep);
        err.lines().filter(l -> l.startsWith("spark:")).forEach(l -> System.out.println("BENCH   " + l));
    }
}

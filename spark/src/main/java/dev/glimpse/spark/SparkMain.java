package dev.glimpse.spark;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The assembly's entry point for {@code spark-submit}:
 * {@code spark-submit --class dev.glimpse.spark.SparkMain glimpse-spark.jar features|train captioner|train vqa ...}.
 */
@Command(name = "glimpse-spark", mixinStandardHelpOptions = true, version = "glimpse-spark 0.1.0",
        description = "Glimpse on Apache Spark (run through spark-submit, which sets the master).")
public final class SparkMain implements Callable<Integer> {
    static final int OK = 0;
    /** Bad input: a file, field or option the user can fix (as the glimpse CLI). */
    static final int INPUT = 2;
    /** An unexpected internal failure. */
    static final int INTERNAL = 4;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return OK;
    }

    public static void main(String[] args) {
        Backend.init();
        ContextHolder holder = new ContextHolder();
        int code;
        try {
            code = run(args, holder, ImageSource.hadoop(), new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        } finally {
            holder.stop();
        }
        System.exit(code);
    }

    /** Runs one command line; the Spark context is asked for only once a command needs it. Tests call this. */
    static int run(String[] args, Supplier<JavaSparkContext> context, ImageSource source, PrintWriter out, PrintWriter err) {
        return run(args, context, source, BeforeSlice.NOTHING, out, err);
    }

    /** As {@link #run(String[], Supplier, ImageSource, PrintWriter, PrintWriter)}; tests fail training tasks through {@code beforeSlice}. */
    static int run(String[] args, Supplier<JavaSparkContext> context, ImageSource source, BeforeSlice beforeSlice,
                   PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.addSubcommand(new CommandLine(new SparkFeaturesCommand(context, source)));
        List<SparkTraining> trainings = new ArrayList<>();
        cl.addSubcommand(SparkTrainCommands.create(context, args, beforeSlice, trainings));
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(SparkMain::handleError);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("glimpse-spark: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return INPUT;
        });
        try {
            return cl.execute(args);
        } finally {
            for (SparkTraining t : trainings) {
                if (t.stats.steps() > 0) {
                    err.println(t.stats.summary());
                    err.flush();
                    t.finish();
                }
            }
        }
    }

    /** Failures to one line and an exit code; a task's GlimpseException reaches here as the cause of Spark's job failure. */
    private static int handleError(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        Throwable t = ex;
        while (!(t instanceof GlimpseException) && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof GlimpseException) {
            err.println("glimpse-spark: " + t.getMessage());
            return INPUT;
        }
        if (ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
            err.println("glimpse-spark: " + ex.getMessage());
            return INPUT;
        }
        if (Boolean.getBoolean("glimpse.stacktrace")) {
            ex.printStackTrace(err);
        }
        err.println("glimpse-spark: internal error: " + ex + " (rerun with -Dglimpse.stacktrace=true for details)");
        return INTERNAL;
    }

    /** The one Spark context of a spark-submit run, made on first use from the configuration spark-submit passes. */
    private static final class ContextHolder implements Supplier<JavaSparkContext> {
        private JavaSparkContext sc;

        @Override
        public synchronized JavaSparkContext get() {
            if (sc == null) {
                SparkConf conf = new SparkConf().setAppName("glimpse");
                if (!conf.contains("spark.master")) {
                    throw new GlimpseException("no Spark master: run this jar with spark-submit (which sets it),"
                            + " or with java -Dspark.master=local[2] to try it on this machine");
                }
                sc = new JavaSparkContext(conf);
            }
            return sc;
        }

        synchronized void stop() {
            if (sc != null) {
                sc.stop();
            }
        }
    }
}

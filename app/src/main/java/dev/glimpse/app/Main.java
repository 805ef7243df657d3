package dev.glimpse.app;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code glimpse} launcher: subcommands are thin wrappers over the module services. */
@Command(name = "glimpse", mixinStandardHelpOptions = true, version = "glimpse 0.1.0",
        description = "Caption images and answer questions about them.",
        subcommands = {CommandLine.HelpCommand.class, CaptionCommand.class, AskCommand.class, QuickstartCommand.class, ServeCommand.class, TrainCommand.class, EvaluateCommand.class,
                FeaturesCommand.class, ScenesCommand.class, dev.glimpse.app.bench.BenchCommand.class})
public final class Main implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line with captured streams; tests call this instead of {@link #main}. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        try {
            Backend.init();
        } catch (OutOfMemoryError e) {
            return outOfMemory(e, err);
        }
        return execute(newCommandLine(out, err), args);
    }

    /**
     * Runs a command line. picocli hands exceptions to {@link #handleError} but lets errors escape
     * {@code execute}; an OutOfMemoryError is caught here so it, too, ends as one line and an exit code.
     */
    static int execute(CommandLine cl, String[] args) {
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            return outOfMemory(e, cl.getErr());
        }
    }

    /**
     * One line naming the limit that was hit and how to raise it: the Java heap ({@code -Xmx}) or,
     * for ND4J's off-heap arrays, JavaCPP's {@code maxphysicalbytes}/{@code maxbytes}, both set through
     * {@code GLIMPSE_JAVA_OPTS}. Exit code {@link ExitCodes#RESOURCES}, never a stack trace.
     */
    static int outOfMemory(OutOfMemoryError e, PrintWriter err) {
        String detail = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        long maxHeap = Runtime.getRuntime().maxMemory();
        boolean offHeap = detail.contains("physical") || detail.contains("maxbytes") || detail.contains("Pointer")
                || detail.contains("Direct buffer");
        String limit = offHeap
                ? "off-heap memory (JavaCPP's limits follow -Xmx: raise -Xmx, or -Dorg.bytedeco.javacpp.maxbytes="
                        + " and maxphysicalbytes=, in GLIMPSE_JAVA_OPTS)"
                : "the Java heap of " + (maxHeap >> 20) + " MB (raise it with GLIMPSE_JAVA_OPTS=-Xmx<size>, e.g. -Xmx"
                        + Math.max(2, 2 * ((maxHeap >> 30) + 1)) + "g)";
        err.println("glimpse: out of memory" + (detail.isEmpty() ? "" : " (" + detail + ")") + ": the command needs more than "
                + limit + "; or use a smaller --batch or input");
        err.flush();
        return ExitCodes.RESOURCES;
    }

    static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(Main::handleError);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("glimpse: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.INPUT;
        });
        return cl;
    }

    /** The one place that turns failures into messages and exit codes. */
    private static int handleError(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        Throwable t = ex;
        while (!(t instanceof GlimpseException) && !(t instanceof OutOfMemoryError)
                && t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof OutOfMemoryError oom) { // e.g. raised on a worker thread and wrapped
            return outOfMemory(oom, err);
        }
        if (t instanceof GlimpseException) {
            err.println("glimpse: " + t.getMessage());
            return ExitCodes.INPUT;
        }
        if (ex instanceof java.io.IOException || ex instanceof java.io.UncheckedIOException) {
            err.println("glimpse: " + ex.getMessage());
            return ExitCodes.INPUT;
        }
        if (Boolean.getBoolean("glimpse.stacktrace")) {
            ex.printStackTrace(err);
        }
        err.println("glimpse: internal error: " + ex + " (rerun with -Dglimpse.stacktrace=true for details)");
        return ExitCodes.INTERNAL;
    }
}

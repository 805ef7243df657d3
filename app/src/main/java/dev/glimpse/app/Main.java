package dev.glimpse.app;

import dev.glimpse.common.Backend;
import dev.glimpse.app.service.Failure;
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
            return report(Failure.of(e), e, err);
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
            return report(Failure.of(e), e, cl.getErr());
        }
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

    /** The one place that turns failures into messages and exit codes (the server maps the same {@link Failure}s). */
    private static int handleError(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        return report(Failure.of(ex), ex, cl.getErr());
    }

    private static int report(Failure f, Throwable error, PrintWriter err) {
        if (f.kind() == Failure.Kind.INTERNAL && Boolean.getBoolean("glimpse.stacktrace")) {
            error.printStackTrace(err);
        }
        err.println("glimpse: " + f.message()
                + (f.kind() == Failure.Kind.INTERNAL ? " (rerun with -Dglimpse.stacktrace=true for details)" : ""));
        err.flush();
        return f.kind().exitCode;
    }
}

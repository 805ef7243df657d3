package dev.glimpse.app;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Runs the VQA commands through the real launcher with captured output. Until the parents
 * {@code evaluate} / {@code train} are registered in {@link Main}, a bare stand-in parent holds
 * the VQA subcommand so the same command lines work before and after.
 */
final class VqaCli {
    record Run(int exitCode, String out, String err) {}

    @Command(name = "stand-in")
    static final class StandInParent {}

    private VqaCli() {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        graft(cl, "evaluate", "vqa", new EvaluateVqaCommand());
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    static void graft(CommandLine root, String parent, String name, Object command) {
        CommandLine p = root.getSubcommands().get(parent);
        if (p == null) {
            p = new CommandLine(new StandInParent());
            root.addSubcommand(parent, p);
        }
        if (!p.getSubcommands().containsKey(name)) {
            p.addSubcommand(name, command);
        }
        // streams set before the graft reach only the commands that existed then
        root.setOut(root.getOut());
        root.setErr(root.getErr());
    }
}

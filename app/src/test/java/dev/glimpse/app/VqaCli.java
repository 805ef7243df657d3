package dev.glimpse.app;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs one command line through the real launcher with captured output. */
final class VqaCli {
    record Run(int exitCode, String out, String err) {}

    private VqaCli() {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}

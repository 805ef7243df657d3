package dev.glimpse.app.service;

import dev.glimpse.common.GlimpseException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one map from a failure to what the user sees, for both faces: the command line's exit code
 * and the server's HTTP status, with a one-line message.
 *
 * @param kind    what went wrong, from the user's side
 * @param message one line, naming the file or field where there is one
 */
public record Failure(Kind kind, String message) {
    public enum Kind {
        /** Bad input the user can fix: a file, field, option or upload. */
        INPUT(2, 400),
        /** Not enough memory for this input or load: a limit to raise or a retry. */
        RESOURCES(3, 503),
        /** A bug: the message asks for the stack trace. */
        INTERNAL(4, 500);

        public final int exitCode;
        public final int httpStatus;

        Kind(int exitCode, int httpStatus) {
            this.exitCode = exitCode;
            this.httpStatus = httpStatus;
        }
    }

    public static Failure of(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof GlimpseException) {
                return new Failure(Kind.INPUT, firstLine(t.getMessage()));
            }
            if (t instanceof OutOfMemoryError) {
                long max = Runtime.getRuntime().maxMemory() >> 20;
                return new Failure(Kind.RESOURCES, "out of memory (Java heap limit " + max + " MB): give Glimpse more"
                        + " with GLIMPSE_JAVA_OPTS=-Xmx<size>, or use smaller inputs or batches");
            }
        }
        if (error instanceof IOException || error instanceof UncheckedIOException) {
            return new Failure(Kind.INPUT, firstLine(error.getMessage()));
        }
        return new Failure(Kind.INTERNAL, "internal error: " + firstLine(String.valueOf(error)));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

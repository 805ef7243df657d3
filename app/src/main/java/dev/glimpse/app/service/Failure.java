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
            if (t instanceof OutOfMemoryError oom) {
                return new Failure(Kind.RESOURCES, outOfMemory(oom));
            }
        }
        if (error instanceof IOException || error instanceof UncheckedIOException) {
            return new Failure(Kind.INPUT, firstLine(error.getMessage()));
        }
        return new Failure(Kind.INTERNAL, "internal error: " + firstLine(String.valueOf(error)));
    }

    /**
     * One line naming the limit that was hit and how to raise it: the Java heap ({@code -Xmx}) or,
     * for ND4J's off-heap arrays, JavaCPP's {@code maxphysicalbytes}/{@code maxbytes}, both set through
     * {@code GLIMPSE_JAVA_OPTS}.
     */
    static String outOfMemory(OutOfMemoryError e) {
        String detail = e.getMessage() == null ? "" : firstLine(e.getMessage());
        long maxHeap = Runtime.getRuntime().maxMemory();
        boolean offHeap = detail.contains("physical") || detail.contains("maxbytes") || detail.contains("Pointer")
                || detail.contains("Direct buffer");
        String limit = offHeap
                ? "off-heap memory (JavaCPP's limits follow -Xmx: raise -Xmx, or -Dorg.bytedeco.javacpp.maxbytes="
                        + " and maxphysicalbytes=, in GLIMPSE_JAVA_OPTS)"
                : "the Java heap of " + (maxHeap >> 20) + " MB (raise it with GLIMPSE_JAVA_OPTS=-Xmx<size>, e.g. -Xmx"
                        + Math.max(2, 2 * ((maxHeap >> 30) + 1)) + "g)";
        return "out of memory" + (detail.isEmpty() ? "" : " (" + detail + ")") + ": the command needs more than "
                + limit + "; or use a smaller --batch or input";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

package dev.glimpse.app;

import dev.glimpse.app.service.Failure;

/** The process exit codes: success, and the codes of {@link Failure.Kind}. */
final class ExitCodes {
    static final int OK = 0;
    /** Bad input: a file, field or option the user can fix. */
    static final int INPUT = Failure.Kind.INPUT.exitCode;
    /** Out of memory: a limit to raise. */
    static final int RESOURCES = Failure.Kind.RESOURCES.exitCode;
    /** An unexpected internal failure (a bug): the message asks for the stack trace. */
    static final int INTERNAL = Failure.Kind.INTERNAL.exitCode;

    private ExitCodes() {}
}

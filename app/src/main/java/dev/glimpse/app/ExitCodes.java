package dev.glimpse.app;

/** The process exit codes, one place for the command line. */
final class ExitCodes {
    static final int OK = 0;
    /** Bad input: a file, field or option the user can fix. */
    static final int INPUT = 2;
    /** Out of memory: a limit the user can raise (the message names it). */
    static final int RESOURCES = 3;
    /** An unexpected internal failure (a bug): the message asks for --stacktrace. */
    static final int INTERNAL = 4;

    private ExitCodes() {}
}

package dev.glimpse.common;

/**
 * An expected failure caused by the user's input or environment (a bad file, a missing field,
 * weights that cannot be downloaded). Its message is one line naming the file or field and is
 * shown as is; the command line maps it to exit code 2 and the server to HTTP 400.
 */
public class GlimpseException extends RuntimeException {
    public GlimpseException(String message) {
        super(message);
    }

    public GlimpseException(String message, Throwable cause) {
        super(message, cause);
    }
}

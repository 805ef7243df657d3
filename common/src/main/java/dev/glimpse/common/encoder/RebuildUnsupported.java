package dev.glimpse.common.encoder;

/**
 * A layer, vertex or setting that an encoder rebuild (oneDNN, SameDiff) does not translate. Never
 * reaches a user: {@link Encoders} falls back to the next slower path, ending at DL4J's own graph.
 */
final class RebuildUnsupported extends Exception {
    RebuildUnsupported(String message) {
        super(message);
    }
}

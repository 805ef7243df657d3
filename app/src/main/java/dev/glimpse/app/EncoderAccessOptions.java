package dev.glimpse.app;

import dev.glimpse.common.imageside.EncoderAccess;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a model's encoder may be opened again: the options every command that loads a model shares. */
final class EncoderAccessOptions {
    @Option(names = "--encoder-weights", paramLabel = "FILE",
            description = "The encoder weights file, for a model trained on features of a local weights file"
                    + " (its sha256 must match the one the model records).")
    Path weights;

    @Option(names = "--download-weights",
            description = "Allow downloading the zoo's pretrained encoder weights if the model needs them and they"
                    + " are not cached (a model file alone never starts a download).")
    boolean download;

    EncoderAccess access() {
        return new EncoderAccess(weights, download);
    }
}

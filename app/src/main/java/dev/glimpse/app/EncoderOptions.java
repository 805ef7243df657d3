package dev.glimpse.app;

import dev.glimpse.common.encoder.EncoderRequest;
import dev.glimpse.common.encoder.Encoders;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The encoder a command opens by name: shared by {@code features}, {@code train captioner} and {@code train vqa}. */
final class EncoderOptions {
    @Option(names = "--encoder", paramLabel = "NAME", defaultValue = Encoders.DEFAULT,
            description = "Image encoder: resnet50, vgg16 or squeezenet (small, fast) (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--encoder-weights", paramLabel = "FILE",
            description = "Local DL4J ComputationGraph zip instead of the zoo's pretrained ImageNet weights"
                    + " (downloaded once into ~/.deeplearning4j when missing).")
    Path weights;

    @Option(names = "--random-init-encoder",
            description = "Untrained, seeded encoder weights (offline demos and tests; recorded as such).")
    boolean randomInit;

    @Option(names = "--encoder-seed", paramLabel = "N", defaultValue = "" + EncoderRequest.DEFAULT_SEED,
            description = "Seed of random-init encoder weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--encoder-size", paramLabel = "PX", defaultValue = "0",
            description = "Square encoder input side; 0 = the network's own (default: ${DEFAULT-VALUE}).")
    int size;

    EncoderRequest request() {
        return new EncoderRequest(name, weights, randomInit, seed, size);
    }
}

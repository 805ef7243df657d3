package dev.glimpse.common.encoder;

import dev.glimpse.common.GlimpseException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What encoder to open: a network name ({@link Encoders#NAMES}), where its weights come from
 * (null weights file = the zoo's pretrained ImageNet weights from the zoo cache), whether to use
 * seeded random weights instead, optionally a square input size other than the network's own
 * ({@code 0} = the size the pretrained weights were trained at), and whether a missing zoo file
 * may be downloaded. Only commands where the user names the encoder allow the download; opening
 * the encoder a model file describes never does unless the user says so
 * ({@code --download-weights}), so a model file cannot make Glimpse reach the network.
 */
public record EncoderRequest(String name, Path weightsFile, boolean randomInit, long seed, int inputSize,
                             boolean allowDownload) {
    public static final long DEFAULT_SEED = 12345L;
    /** Largest square input side: 2048 px is already 4x the work of any zoo network's own size. */
    public static final int MAX_INPUT_SIZE = dev.glimpse.common.bundle.ModelLimits.MAX_INPUT_SIZE;

    public EncoderRequest {
        name = name == null || name.isBlank() ? Encoders.DEFAULT : name.trim().toLowerCase(Locale.ROOT);
        if (randomInit && weightsFile != null) {
            throw new GlimpseException("--random-init-encoder and --encoder-weights " + weightsFile
                    + " exclude each other: pick one");
        }
        if (inputSize < 0 || inputSize > MAX_INPUT_SIZE) {
            throw new GlimpseException("encoder input size " + inputSize + " is out of range (0 = network default, up to "
                    + MAX_INPUT_SIZE + ")");
        }
    }

    /** A request from a command where the user names the encoder: a missing zoo file is downloaded. */
    public EncoderRequest(String name, Path weightsFile, boolean randomInit, long seed, int inputSize) {
        this(name, weightsFile, randomInit, seed, inputSize, true);
    }

    public EncoderRequest(String name, Path weightsFile, boolean randomInit, long seed) {
        this(name, weightsFile, randomInit, seed, 0, true);
    }

    /** The zoo's pretrained ImageNet weights (downloaded once into the zoo's cache). */
    public static EncoderRequest pretrained(String name) {
        return new EncoderRequest(name, null, false, DEFAULT_SEED, 0, true);
    }

    /** Seeded random weights: for offline demos and tests only; recorded in {@link EncoderInfo#randomInit()}. */
    public static EncoderRequest randomInit(String name, long seed) {
        return new EncoderRequest(name, null, true, seed, 0, false);
    }

    public EncoderRequest withInputSize(int size) {
        return new EncoderRequest(name, weightsFile, randomInit, seed, size, allowDownload);
    }
}

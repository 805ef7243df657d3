package dev.glimpse.common.encoder;

import dev.glimpse.common.GlimpseException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What encoder to open: a network name ({@link Encoders#NAMES}), where its weights come from
 * (null weights file = the zoo's pretrained ImageNet weights, downloaded once into the zoo cache),
 * whether to use seeded random weights instead, and optionally a square input size other than
 * the network's own ({@code 0} = the size the pretrained weights were trained at).
 */
public record EncoderRequest(String name, Path weightsFile, boolean randomInit, long seed, int inputSize) {
    public static final long DEFAULT_SEED = 12345L;

    public EncoderRequest {
        name = name == null || name.isBlank() ? Encoders.DEFAULT : name.trim().toLowerCase(Locale.ROOT);
        if (randomInit && weightsFile != null) {
            throw new GlimpseException("--random-init and --weights " + weightsFile + " exclude each other: pick one");
        }
        if (inputSize < 0 || inputSize > 2048) {
            throw new GlimpseException("encoder input size " + inputSize + " is out of range (0 = network default, up to 2048)");
        }
    }

    public EncoderRequest(String name, Path weightsFile, boolean randomInit, long seed) {
        this(name, weightsFile, randomInit, seed, 0);
    }

    /** The zoo's pretrained ImageNet weights (downloaded once into the zoo's cache). */
    public static EncoderRequest pretrained(String name) {
        return new EncoderRequest(name, null, false, DEFAULT_SEED, 0);
    }

    /** Seeded random weights: for offline demos and tests only; recorded in {@link EncoderInfo#randomInit()}. */
    public static EncoderRequest randomInit(String name, long seed) {
        return new EncoderRequest(name, null, true, seed, 0);
    }

    public EncoderRequest withInputSize(int size) {
        return new EncoderRequest(name, weightsFile, randomInit, seed, size);
    }
}

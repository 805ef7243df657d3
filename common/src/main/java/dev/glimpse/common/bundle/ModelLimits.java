package dev.glimpse.common.bundle;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.BoundedZip;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every size a model file (or a DL4J weights zip) may declare, in one place, and the checks that
 * apply them. A model file is input from someone else: each size is checked here before anything
 * is allocated or inflated for it, and every refusal is one {@link GlimpseException} line naming
 * the file, the entry and the field.
 *
 * <p>The limits and what they leave room for (float32 = 4 bytes):
 * <ul>
 *   <li>{@link #MAX_FILE_BYTES} 3 GiB on disk, {@link #MAX_TOTAL_BYTES} 3 GiB inflated in total,
 *       {@link #MAX_ENTRIES} 256 entries. A 10000-word, 512-hidden captioner is ~50 MB of floats,
 *       its checkpoint with Adam's two moment arrays ~150 MB; a tuned ResNet-50-sized encoder part
 *       is ~60-100 MB (three times that with its optimizer state in a checkpoint).</li>
 *   <li>{@link #MAX_FLOAT_ENTRY_BYTES} 1 GiB per float array; {@link #MAX_PARAMETERS} 128M parameters
 *       per network, so a checkpoint's Adam moments (two floats per parameter, one entry) still fit.</li>
 *   <li>{@link #MAX_JSON_BYTES} 16 MiB per JSON entry (a 250000-word vocabulary is ~3 MB).</li>
 *   <li>{@link #MAX_VOCABULARY} 250000 words or answers; {@link #MAX_WIDTH} 8192 for hidden,
 *       embedding, attention and fused sizes; {@link #MAX_FEATURE_DIM} 16384 for image feature
 *       and grid vector sizes (ResNet-50 2048, VGG16 fc 4096); {@link #MAX_LAYERS} 16 stacked
 *       recurrent layers; {@link #MAX_QUESTION_LENGTH} 1000 words.</li>
 *   <li>{@link #MAX_INPUT_SIZE} 1024 px encoder input side: activation memory grows with its square
 *       (an input of 2048 px grew a ResNet-50 encoder past 12 GB resident).</li>
 *   <li>DL4J weights zips: {@link #MAX_DL4J_ENTRIES} entries, {@link #MAX_DL4J_CONFIG_BYTES} 32 MiB of
 *       configuration JSON, coefficients up to {@link #MAX_DL4J_PARAMETERS} 256M values (VGG16, the
 *       largest zoo encoder, has 138M); other entries are never read.</li>
 * </ul>
 * Raising a limit is a one-line change here; memory for a model at the limits needs {@code -Xmx}
 * well above 3 GiB (set through {@code GLIMPSE_JAVA_OPTS}).
 */
public final class ModelLimits {
    public static final long MAX_FILE_BYTES = 3L << 30;
    public static final long MAX_TOTAL_BYTES = 3L << 30;
    public static final int MAX_ENTRIES = 256;
    public static final long MAX_FLOAT_ENTRY_BYTES = 1L << 30;
    public static final long MAX_PARAMETERS = MAX_FLOAT_ENTRY_BYTES / Float.BYTES / 2;
    public static final long MAX_JSON_BYTES = 16L << 20;
    public static final int MAX_VOCABULARY = 250_000;
    public static final int MAX_WIDTH = 8192;
    public static final int MAX_FEATURE_DIM = 16384;
    public static final int MAX_LAYERS = 16;
    public static final int MAX_QUESTION_LENGTH = 1000;
    public static final int MAX_INPUT_SIZE = 1024;
    public static final long MAX_DL4J_CONFIG_BYTES = 32L << 20;
    public static final int MAX_DL4J_ENTRIES = 64;
    public static final long MAX_DL4J_PARAMETERS = 256L << 20;

    /** The zip limits of a Glimpse model file. */
    public static final BoundedZip.Limits MODEL_FILE = new BoundedZip.Limits(MAX_FILE_BYTES, MAX_ENTRIES, MAX_TOTAL_BYTES);

    private ModelLimits() {}

    /** A size that must be in [1, max]; {@code where} names file and entry ("m.zip: net.json"). */
    public static int dimension(String where, String field, int value, int max) {
        if (value < 1 || value > max) {
            throw new GlimpseException(where + ": " + field + " is " + value + ", expected 1 to " + max
                    + (value > max ? " (limit in ModelLimits)" : ""));
        }
        return value;
    }

    /** A network's parameter count (computed in long arithmetic from its configuration) within the limit. */
    public static long parameters(String where, long count) {
        if (count < 1 || count > MAX_PARAMETERS) {
            throw new GlimpseException(where + ": the network would have " + count + " parameters, the limit is "
                    + MAX_PARAMETERS);
        }
        return count;
    }

    /** An encoder input side: 0 (the network's default) or 1..{@link #MAX_INPUT_SIZE}. */
    public static int inputSize(String where, int size) {
        if (size < 0 || size > MAX_INPUT_SIZE) {
            throw new GlimpseException(where + ": inputSize is " + size + ", expected 0 (network default) to "
                    + MAX_INPUT_SIZE);
        }
        return size;
    }

    /** An array whose length the configuration fixes. */
    public static float[] length(String where, float[] values, long expected) {
        if (values.length != expected) {
            throw new GlimpseException(where + ": has " + values.length + " values, the configuration needs " + expected);
        }
        return values;
    }

    /** Refuses NaN and infinities: they load fine and then make every answer the same. */
    public static float[] finite(String where, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new GlimpseException(where + ": value " + i + " is " + values[i] + " (not finite)");
            }
        }
        return values;
    }

    /** Standard deviations and scales: finite and strictly positive (a zero would divide by zero). */
    public static float[] positiveFinite(String where, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] > 0) || !Float.isFinite(values[i])) {
                throw new GlimpseException(where + ": value " + i + " is " + values[i]
                        + " (a standard deviation or scale must be finite and positive)");
            }
        }
        return values;
    }

    /** A word list: at most {@code max} entries, none null, empty or repeated. */
    public static List<String> words(String where, List<String> words, int max) {
        if (words == null) {
            throw new GlimpseException(where + ": missing word list");
        }
        if (words.size() > max) {
            throw new GlimpseException(where + ": has " + words.size() + " entries, the limit is " + max);
        }
        Map<String, Integer> seen = new HashMap<>(words.size() * 2);
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w == null || w.isEmpty()) {
                throw new GlimpseException(where + ": entry " + i + " is " + (w == null ? "null" : "empty"));
            }
            Integer prev = seen.put(w, i);
            if (prev != null) {
                throw new GlimpseException(where + ": entry " + i + " \"" + w + "\" repeats entry " + prev);
            }
        }
        return words;
    }
}

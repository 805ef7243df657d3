package dev.glimpse.common.encoder;

import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.io.Json;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an encoder produces and how: enough to tell whether two feature sets are interchangeable,
 * to reproduce the preprocessing and to open the same encoder again ({@link #request}). Saved in
 * feature caches and model files.
 *
 * @param name          network name ({@code resnet50}, {@code vgg16}, {@code squeezenet})
 * @param pooledDim     length F of the pooled vector
 * @param gridRows      rows of the spatial grid
 * @param gridCols      columns of the spatial grid
 * @param gridDim       length C of each grid vector
 * @param preprocess    the image preprocessing the weights expect
 * @param randomInit    true when the weights are seeded random numbers, not trained ones
 * @param weightsSource where the weights came from, for display: {@code zoo:FILE}, a local file's
 *                      name, or {@code random-init seed=N}; never opened as a path
 * @param weightsSha256 sha256 of the weights file, null for random init
 * @param gridLayer     the graph vertex the grid is read from
 * @param pooledLayer   the vertex the pooled vector is read from, or {@code mean(gridLayer)}
 * @param featureNorm   what the encoder itself applies to both outputs ("none" for trained weights;
 *                      random-init features are centred and scaled, see RandomInitCentering)
 * @param seed          the seed of random-init weights, null otherwise
 */
public record EncoderInfo(String name, int pooledDim, int gridRows, int gridCols, int gridDim,
                          PreprocessSpec preprocess, boolean randomInit, String weightsSource,
                          String weightsSha256, String gridLayer, String pooledLayer, String featureNorm,
                          Long seed) {
    /** Where the weights of a zoo download are recorded as coming from. */
    public static final String ZOO_PREFIX = "zoo:";
    private static final Pattern LEGACY_SEED = Pattern.compile("random-init seed=(-?\\d+)");
    private static final Pattern LEGACY_CENTRING = Pattern.compile("centred on (\\d+) synthetic calibration images, scaled by .*");

    public EncoderInfo {
        // Caches and models written before the seed had a field of its own carry it only in the
        // display string; this is the one place that reads it from there.
        if (seed == null && randomInit && weightsSource != null) {
            Matcher m = LEGACY_SEED.matcher(weightsSource);
            if (m.find()) {
                seed = Long.parseLong(m.group(1));
            }
        }
        if (!randomInit) {
            seed = null;
        }
        // Earlier records wrote the centring's scale into its description; it is float noise across machines.
        Matcher c = featureNorm == null ? null : LEGACY_CENTRING.matcher(featureNorm);
        if (c != null && c.matches()) {
            featureNorm = RandomInitCentering.description(Integer.parseInt(c.group(1)));
        }
    }

    public EncoderInfo(String name, int pooledDim, int gridRows, int gridCols, int gridDim, PreprocessSpec preprocess,
                       boolean randomInit, String weightsSource, String weightsSha256, String gridLayer,
                       String pooledLayer, String featureNorm) {
        this(name, pooledDim, gridRows, gridCols, gridDim, preprocess, randomInit, weightsSource, weightsSha256,
                gridLayer, pooledLayer, featureNorm, null);
    }

    public int gridRegions() {
        return gridRows * gridCols;
    }

    /** The weights came from the zoo's pretrained download. */
    public boolean zooWeights() {
        return !randomInit && weightsSource != null && weightsSource.startsWith(ZOO_PREFIX);
    }

    /** The weights came from a local file the user named. */
    public boolean localWeights() {
        return !randomInit && !zooWeights();
    }

    /**
     * The request that opens this encoder again. A local weights file is never taken from the
     * record (a model file must not name files to open): the caller passes the one the user named.
     */
    public EncoderRequest request(java.nio.file.Path weightsFile, boolean allowDownload) {
        int size = preprocess == null ? 0 : preprocess.inputSize();
        if (randomInit) {
            return new EncoderRequest(name, null, true, seed == null ? EncoderRequest.DEFAULT_SEED : seed, size, false);
        }
        return new EncoderRequest(name, localWeights() ? weightsFile : null, false, EncoderRequest.DEFAULT_SEED, size,
                allowDownload);
    }

    /** True when features from {@code other} can be mixed with these (same network, weights and input). */
    public boolean sameFeatures(EncoderInfo other) {
        if (other == null) {
            return false;
        }
        // Compared as JSON trees: what the manifest stores is what must match; a weights file is
        // identified by its content, so the same file under another name is the same encoder.
        com.fasterxml.jackson.databind.node.ObjectNode a = Json.MAPPER.valueToTree(this);
        com.fasterxml.jackson.databind.node.ObjectNode b = Json.MAPPER.valueToTree(other);
        if (weightsSha256 != null && weightsSha256.equals(other.weightsSha256) && localWeights() && other.localWeights()) {
            a.remove("weightsSource");
            b.remove("weightsSource");
        }
        return a.equals(b);
    }

    /** One line for messages: {@code resnet50 (pretrained, 2048 pooled, 7x7x2048 grid, 224px)}. */
    public String describe() {
        return name + " (" + (randomInit ? "UNTRAINED " + weightsSource : "weights " + weightsSource)
                + ", " + pooledDim + " pooled, " + gridRows + "x" + gridCols + "x" + gridDim + " grid, "
                + (preprocess == null ? "?" : preprocess.inputSize()) + "px)";
    }

    EncoderInfo withFeatureNorm(String norm) {
        return new EncoderInfo(name, pooledDim, gridRows, gridCols, gridDim, preprocess, randomInit, weightsSource,
                weightsSha256, gridLayer, pooledLayer, norm, seed);
    }
}

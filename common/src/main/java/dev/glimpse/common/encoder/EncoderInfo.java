package dev.glimpse.common.encoder;

import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.io.Json;

/**
 * What an encoder produces and how: enough to tell whether two feature sets are interchangeable
 * and to reproduce the preprocessing. Saved in feature caches and model files.
 *
 * @param name          network name ({@code resnet50}, {@code vgg16}, {@code squeezenet})
 * @param pooledDim     length F of the pooled vector
 * @param gridRows      rows of the spatial grid
 * @param gridCols      columns of the spatial grid
 * @param gridDim       length C of each grid vector
 * @param preprocess    the image preprocessing the weights expect
 * @param randomInit    true when the weights are seeded random numbers, not trained ones
 * @param weightsSource where the weights came from (zoo file, local file, or {@code random-init seed=N})
 * @param weightsSha256 sha256 of the weights file, null for random init
 * @param gridLayer     the graph vertex the grid is read from
 * @param pooledLayer   the vertex the pooled vector is read from, or {@code mean(gridLayer)}
 * @param featureNorm   normalisation applied to both outputs ("none" for trained weights; random-init
 *                      features are centred and scaled, see FeatureNorm)
 */
public record EncoderInfo(String name, int pooledDim, int gridRows, int gridCols, int gridDim,
                          PreprocessSpec preprocess, boolean randomInit, String weightsSource,
                          String weightsSha256, String gridLayer, String pooledLayer, String featureNorm) {

    public int gridRegions() {
        return gridRows * gridCols;
    }

    /** True when features from {@code other} can be mixed with these (same network, weights and input). */
    public boolean sameFeatures(EncoderInfo other) {
        // Compared as JSON trees: what the manifest stores is what must match.
        return other != null && Json.MAPPER.valueToTree(this).equals(Json.MAPPER.valueToTree(other));
    }

    /** One line for messages: {@code resnet50 (pretrained, 2048 pooled, 7x7x2048 grid, 224px)}. */
    public String describe() {
        return name + " (" + (randomInit ? "UNTRAINED " + weightsSource : "weights " + weightsSource)
                + ", " + pooledDim + " pooled, " + gridRows + "x" + gridCols + "x" + gridDim + " grid, "
                + preprocess.inputSize() + "px)";
    }
}

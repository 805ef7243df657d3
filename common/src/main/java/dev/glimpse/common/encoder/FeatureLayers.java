package dev.glimpse.common.encoder;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * Where the features are read in a loaded graph, found from its configuration and the shapes
 * it infers for the actual input size (grid sizes follow the input size; vertex names differ between
 * the pretrained Keras conversions and the random-init configurations).
 *
 * <p>Rule: the classifier is the last vertex with parameters. Walking back from it through
 * single-input vertices, the first dense layer met is the pooled vector (VGG's fc2); the first
 * 4-D activation with more than one position that is not a pooling, dropout or padding step is
 * the grid (ResNet's last block, VGG's conv5_3, SqueezeNet's fire9). Without a dense layer the
 * pooled vector is the spatial mean of the grid.
 *
 * @param grid       vertex whose [B, C, H, W] activation is the grid
 * @param pooled     dense vertex giving the pooled vector, or null for the grid mean
 * @param convLayers number of convolution layers in the graph (a cheap architecture fingerprint)
 */
record FeatureLayers(String grid, String pooled, int rows, int cols, int gridDim, int pooledDim, int convLayers) {

    static FeatureLayers find(ComputationGraphConfiguration conf, int inputSize) {
        Map<String, InputType> types;
        try {
            types = conf.getLayerActivationTypes(InputType.convolutional(inputSize, inputSize, 3));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the network does not accept " + inputSize + "x" + inputSize
                    + " RGB input: " + e.getMessage(), e);
        }
        List<String> order = topologicalOrder(conf);
        Map<String, GraphVertex> vertices = conf.getVertices();
        String classifier = null;
        int convs = 0;
        for (String name : order) {
            GraphVertex v = vertices.get(name);
            if (v != null && v.numParams(false) > 0) {
                classifier = name;
            }
            if (layer(v) instanceof ConvolutionLayer) {
                convs++;
            }
        }
        if (classifier == null) {
            throw new IllegalArgumentException("the network has no layer with parameters");
        }
        String pooled = null;
        String cur = singleInput(conf, classifier);
        while (cur != null) {
            InputType t = types.get(cur);
            Layer layer = layer(vertices.get(cur));
            if (t instanceof InputType.InputTypeConvolutional c) {
                if (c.getHeight() * c.getWidth() > 1 && !passThrough(layer)) {
                    int dim = (int) c.getChannels();
                    int pooledDim = pooled == null ? dim : (int) ((InputType.InputTypeFeedForward) types.get(pooled)).getSize();
                    return new FeatureLayers(cur, pooled, (int) c.getHeight(), (int) c.getWidth(), dim, pooledDim, convs);
                }
            } else if (t instanceof InputType.InputTypeFeedForward && layer instanceof DenseLayer && pooled == null) {
                pooled = cur;
            }
            cur = vertices.containsKey(cur) ? singleInput(conf, cur) : null;
        }
        throw new IllegalArgumentException("found no spatial feature map (4-D activation) before the classifier \""
                + classifier + "\"");
    }

    /** Number of convolution layers: ResNet50 53, VGG16 13, SqueezeNet 26. */
    static int convLayers(ComputationGraphConfiguration conf) {
        return (int) conf.getVertices().values().stream().filter(v -> layer(v) instanceof ConvolutionLayer).count();
    }

    /** Kahn's algorithm: a restored configuration does not carry its order until a graph is built. */
    static List<String> topologicalOrder(ComputationGraphConfiguration conf) {
        Map<String, List<String>> inputs = conf.getVertexInputs();
        Map<String, Integer> pending = new java.util.LinkedHashMap<>();
        Map<String, List<String>> consumers = new java.util.HashMap<>();
        for (String v : conf.getVertices().keySet()) {
            List<String> in = inputs.getOrDefault(v, List.of());
            pending.put(v, in.size());
            for (String i : in) {
                consumers.computeIfAbsent(i, k -> new java.util.ArrayList<>()).add(v);
            }
        }
        java.util.ArrayDeque<String> ready = new java.util.ArrayDeque<>(conf.getNetworkInputs());
        List<String> order = new java.util.ArrayList<>();
        while (!ready.isEmpty()) {
            String v = ready.poll();
            order.add(v);
            for (String c : consumers.getOrDefault(v, List.of())) {
                if (pending.merge(c, -1, Integer::sum) == 0) {
                    ready.add(c);
                }
            }
        }
        return order;
    }

    /** Layers that only pool, drop out or pad: the grid is read before them. */
    private static boolean passThrough(Layer layer) {
        String kind = layer == null ? "" : layer.getClass().getSimpleName();
        return kind.contains("Subsampling") || kind.contains("Pooling") || kind.contains("Dropout")
                || kind.contains("ZeroPadding") || kind.contains("Cropping");
    }

    private static Layer layer(GraphVertex v) {
        return v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    private static String singleInput(ComputationGraphConfiguration conf, String vertex) {
        List<String> in = conf.getVertexInputs().get(vertex);
        if (in == null || in.isEmpty()) {
            return null;
        }
        if (in.size() > 1) {
            throw new IllegalArgumentException("vertex \"" + vertex + "\" ahead of the classifier merges "
                    + in.size() + " inputs; cannot tell which is the image feature map");
        }
        return in.get(0);
    }
}

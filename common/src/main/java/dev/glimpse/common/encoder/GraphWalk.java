package dev.glimpse.common.encoder;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;

/**
 * The walk every encoder rebuild makes over a graph configuration: from its single input, in
 * topological order, through only the vertices the wanted outputs depend on, with the consumers
 * of each vertex for fusion decisions, and the checks all rebuilds apply the same way.
 */
final class GraphWalk {
    private final ComputationGraphConfiguration conf;
    private final Set<String> outputs;
    private final Map<String, List<String>> consumers = new HashMap<>();
    private final List<String> order = new ArrayList<>();

    GraphWalk(ComputationGraphConfiguration conf, List<String> outputs) throws RebuildUnsupported {
        if (conf.getNetworkInputs().size() != 1) {
            throw new RebuildUnsupported("graph has " + conf.getNetworkInputs().size() + " inputs");
        }
        this.conf = conf;
        this.outputs = Set.copyOf(outputs);
        conf.getVertexInputs().forEach((v, ins) -> ins.forEach(i -> consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(v)));
        Set<String> needed = new HashSet<>();
        ArrayDeque<String> todo = new ArrayDeque<>(outputs);
        while (!todo.isEmpty()) {
            String v = todo.poll();
            if (needed.add(v)) {
                todo.addAll(conf.getVertexInputs().getOrDefault(v, List.of()));
            }
        }
        for (String v : FeatureLayers.topologicalOrder(conf)) {
            if (needed.contains(v) && !v.equals(input())) {
                order.add(v);
            }
        }
    }

    ComputationGraphConfiguration conf() {
        return conf;
    }

    String input() {
        return conf.getNetworkInputs().get(0);
    }

    /** The vertices the outputs need, network input excluded, each after its inputs. */
    List<String> order() {
        return order;
    }

    List<String> inputs(String v) {
        return conf.getVertexInputs().getOrDefault(v, List.of());
    }

    List<String> consumers(String v) {
        return consumers.getOrDefault(v, List.of());
    }

    Layer layer(String v) {
        return conf.getVertices().get(v) instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }

    /** A convolution layer proper (not a subclass), with no activation and no input preprocessor. */
    boolean isPlainConv(String v) {
        return conf.getVertices().get(v) instanceof LayerVertex lv && lv.getPreProcessor() == null
                && lv.getLayerConf().getLayer() instanceof ConvolutionLayer c && c.getClass() == ConvolutionLayer.class
                && isIdentity(c.getActivationFn());
    }

    /**
     * A plain convolution read only by a batch norm, and not itself an output: the rebuild emits it
     * together with that batch norm (folded weights) and skips it where it stands.
     */
    boolean foldsIntoBatchNorm(String v) {
        List<String> users = consumers(v);
        return isPlainConv(v) && users.size() == 1 && layer(users.get(0)) instanceof BatchNormalization && !outputs.contains(v);
    }

    /** The convolution a batch norm folds into, or an explanation why it cannot. */
    String batchNormSource(String bnVertex, BatchNormalization bn) throws RebuildUnsupported {
        if (!isIdentity(bn.getActivationFn())) {
            throw new RebuildUnsupported(bnVertex + ": batch norm with activation " + bn.getActivationFn());
        }
        String src = inputs(bnVertex).get(0);
        if (!foldsIntoBatchNorm(src)) {
            throw new RebuildUnsupported("batch norm " + bnVertex + " not after a plain convolution");
        }
        return src;
    }

    static boolean isIdentity(IActivation act) {
        return act == null || act instanceof ActivationIdentity;
    }

    /** ReLU without cap, threshold or negative slope (DL4J prints those in its name). */
    static boolean isPlainRelu(IActivation act) {
        if (!(act instanceof ActivationReLU)) {
            return false;
        }
        String s = act.toString();
        return s.equals("relu") || !(s.contains("max") || s.contains("threshold") || s.contains("negative"));
    }

    static void requireRelu(String v, IActivation act) throws RebuildUnsupported {
        if (!isPlainRelu(act)) {
            throw new RebuildUnsupported(v + ": activation " + act);
        }
    }
}

package dev.glimpse.common.encoder;

import dev.glimpse.common.nn.Params;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The trainable part of an encoder as our own forward and backward kernels: each step is one ND4J
 * custom op (oneDNN in our classifier) called directly, NHWC activations, convolution weights in
 * DL4J's own [out, in, kH, kW] layout (so gradients land where DL4J's parameter table has them).
 * Through SameDiff the same graph's convolution backward cost ~10x its forward; called directly,
 * {@code conv2d_bp} costs ~1.8x (3x3 48->192 at 15x15, batch 32: 3.7 ms forward, 6.7 ms backward).
 * Whole SqueezeNet at 128 px, batch 32, forward + backward: 1.6 s per step through SameDiff, 0.29 s
 * here (about 110 images/s; allocation was most of the rest: arrays are reused, see {@link #buffers}).
 *
 * <p>Translates convolutions (identity or ReLU), batch norm with frozen statistics (trainable scale
 * and shift), ReLU/identity activation layers, max pooling, unpadded average pooling, dropout
 * (the identity, as at inference), channel merges and residual adds; anything else is
 * {@link RebuildUnsupported} and {@link TunableEncoder} uses the SameDiff rebuild. The pooled
 * vector is the grid's spatial mean, or a pooling vertex of the graph reduced to [B, C].
 */
final class ConvSuffix {
    private final List<Node> nodes = new ArrayList<>();
    private final Map<String, String[]> variables = new LinkedHashMap<>();
    private final Map<String, INDArray> initial = new HashMap<>();
    private final int[] inputHwc;
    private final String inputName;
    private final String gridName;
    private final String pooledName;
    private final DataType type;
    /**
     * Activation and gradient arrays by role, reused from step to step: allocating an 8 MB array
     * costs ND4J ~3.5 ms, more than the ReLU or concat that fills it. So a pass's activations are
     * valid only until the next forward.
     */
    private final Map<String, INDArray> buffers = new HashMap<>();
    private final Map<String, long[]> outShapes = new HashMap<>();

    /** One pass's activations by vertex, kept for backward. */
    record State(Map<String, INDArray> acts, INDArray grid, INDArray pooled) {}

    private ConvSuffix(int[] inputHwc, String inputName, String gridName, String pooledName, DataType type) {
        this.inputHwc = inputHwc;
        this.inputName = inputName;
        this.gridName = gridName;
        this.pooledName = pooledName;
        this.type = type;
    }

    /** The part of the graph after {@code start} (null: from the image), as {@link SameDiffEncoder#buildTrainable} cuts it. */
    static ConvSuffix build(ComputationGraph graph, FeatureLayers layers, int s, String start, Set<String> trainable, DataType type)
            throws RebuildUnsupported {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        List<String> outs = layers.pooled() == null ? List.of(layers.grid()) : List.of(layers.grid(), layers.pooled());
        GraphWalk walk = new GraphWalk(conf, outs);
        List<String> order = walk.order();
        int[] hwc = {s, s, 3};
        String input = walk.input();
        if (start != null) {
            int at = order.indexOf(start);
            if (at < 0) {
                throw new RebuildUnsupported(start + ": not on the way to the features");
            }
            InputType t = conf.getLayerActivationTypes(InputType.convolutional(s, s, 3)).get(start);
            if (!(t instanceof InputType.InputTypeConvolutional c)) {
                throw new RebuildUnsupported(start + ": not a feature map");
            }
            hwc = new int[] {(int) c.getHeight(), (int) c.getWidth(), (int) c.getChannels()};
            input = start;
            order = order.subList(at + 1, order.size());
        }
        ConvSuffix net = new ConvSuffix(hwc, input, layers.grid(), layers.pooled(), type);
        for (String v : order) {
            net.nodes.add(net.translate(graph, walk, v, trainable));
        }
        return net;
    }

    int[] inputHwc() {
        return inputHwc.clone();
    }

    /** Trainable variables in creation order: name -> {vertex, DL4J parameter key}. */
    Map<String, String[]> variables() {
        return variables;
    }

    /** A variable's starting value in DL4J's layout. */
    INDArray initial(String name) {
        return initial.get(name);
    }

    /** Split activations [B, H, W, C] to the grid [B, H', W', C'] and pooled [B, F], reading the parameters from {@code p}. */
    State forward(INDArray x, Params p) {
        Map<String, INDArray> acts = new HashMap<>();
        acts.put(inputName, x);
        for (Node n : nodes) {
            acts.put(n.name(), n.forward(acts, p));
        }
        INDArray grid = acts.get(gridName);
        INDArray pooled = pooledName == null ? grid.mean(1, 2) : acts.get(pooledName).reshape(grid.size(0), -1);
        return new State(acts, grid, pooled);
    }

    /**
     * Adds d(loss)/d(parameters) to {@code p}'s gradients, given dGrid [B, H', W', C'] and dPooled [B, F].
     * dGrid is the caller's scratch: it is added to in place (a 12.8 MB copy per ResNet step saved).
     */
    void backward(State st, INDArray dGrid, INDArray dPooled, Params p) {
        Map<String, INDArray> grads = new HashMap<>();
        INDArray grid = st.grid();
        INDArray dg = dGrid;
        if (pooledName == null) {
            // pooled = mean over positions: each position gets dPooled / (H * W).
            INDArray share = dPooled.div(grid.size(1) * grid.size(2)).reshape(grid.size(0), 1, 1, grid.size(3));
            dg.addi(share.broadcast(dg.shape()));
        } else {
            grads.put(pooledName, dPooled.reshape(st.acts().get(pooledName).shape()).dup());
        }
        accumulate(grads, gridName, dg);
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            INDArray d = grads.remove(n.name());
            if (d == null) {
                continue; // nothing downstream needs it
            }
            List<INDArray> dIn = n.backward(st.acts(), d, p);
            for (int k = 0; k < n.inputs().size(); k++) {
                if (dIn.get(k) != null && !n.inputs().get(k).equals(inputName)) {
                    accumulate(grads, n.inputs().get(k), dIn.get(k));
                }
            }
        }
    }

    private void accumulate(Map<String, INDArray> grads, String v, INDArray d) {
        INDArray seen = grads.get(v);
        if (seen == null) {
            grads.put(v, d);
            return;
        }
        // Not into a given array: one array may feed several inputs (adds), so sums go to v's own buffer.
        INDArray sum = buffer("sum:" + v, d.shape());
        grads.put(v, seen == sum ? sum.addi(d) : seen.addi(d, sum));
    }

    /**
     * The array for a role, reused: the batch size changes from step to step (a caption batch holds a
     * varying number of distinct images), so a buffer with more rows lends its leading rows (a
     * contiguous view) to a smaller batch, and only a larger one allocates.
     */
    private INDArray buffer(String role, long... shape) {
        INDArray b = buffers.get(role);
        if (b != null && java.util.Arrays.equals(b.shape(), shape)) {
            return b;
        }
        if (b != null && b.rank() == shape.length && b.size(0) > shape[0]
                && java.util.Arrays.equals(java.util.Arrays.copyOfRange(b.shape(), 1, shape.length),
                        java.util.Arrays.copyOfRange(shape, 1, shape.length))) {
            return b.get(NDArrayIndex.interval(0, shape[0]));
        }
        b = Nd4j.createUninitialized(type, shape);
        buffers.put(role, b);
        return b;
    }

    /** An op's output shape for this input shape, asked of the op once. */
    private long[] outShape(String op, INDArray x, int[] args, INDArray... rest) {
        StringBuilder key = new StringBuilder(op).append(java.util.Arrays.toString(args));
        key.append(java.util.Arrays.toString(x.shape()));
        for (INDArray r : rest) {
            key.append(java.util.Arrays.toString(r.shape()));
        }
        return outShapes.computeIfAbsent(key.toString(), k -> {
            INDArray[] ins = new INDArray[rest.length + 1];
            ins[0] = x;
            System.arraycopy(rest, 0, ins, 1, rest.length);
            return DynamicCustomOp.builder(op).addInputs(ins).addIntegerArguments(args).build().calculateOutputShape().get(0).getShape();
        });
    }

    /** One vertex: its name, the vertices it reads, forward and backward. */
    private abstract static class Node {
        final String name;
        final List<String> inputs;

        Node(String name, List<String> inputs) {
            this.name = name;
            this.inputs = inputs;
        }

        final String name() {
            return name;
        }

        final List<String> inputs() {
            return inputs;
        }

        abstract INDArray forward(Map<String, INDArray> acts, Params p);

        /** Gradients for each input (null where none is needed). */
        abstract List<INDArray> backward(Map<String, INDArray> acts, INDArray dOut, Params p);
    }

    private Node translate(ComputationGraph graph, GraphWalk walk, String v, Set<String> trainable) throws RebuildUnsupported {
        GraphVertex gv = walk.conf().getVertices().get(v);
        List<String> ins = walk.inputs(v);
        if (gv instanceof MergeVertex) {
            return new Merge(v, ins);
        }
        if (gv instanceof ElementWiseVertex e) {
            if (e.getOp() != ElementWiseVertex.Op.Add) {
                throw new RebuildUnsupported(v + ": element-wise " + e.getOp());
            }
            return new Add(v, ins);
        }
        if (!(gv instanceof LayerVertex lv)) {
            throw new RebuildUnsupported(v + ": vertex type " + gv.getClass().getSimpleName());
        }
        if (lv.getPreProcessor() != null) {
            throw new RebuildUnsupported(v + ": input preprocessor " + lv.getPreProcessor().getClass().getSimpleName());
        }
        Layer layer = lv.getLayerConf().getLayer();
        Map<String, INDArray> table = graph.getVertex(v).paramTable(false);
        boolean trains = trainable.contains(v);
        if (layer instanceof ConvolutionLayer c && c.getClass() == ConvolutionLayer.class) {
            requireNchw(v, c.getCnn2dDataFormat());
            if (c.getConvolutionMode() == ConvolutionMode.Causal) {
                throw new RebuildUnsupported(v + ": causal convolution");
            }
            boolean relu = relu(v, c.getActivationFn());
            INDArray w = table.get("W");
            long out = w.size(0);
            String wName = param(v, "W", w, trains);
            String bName = c.hasBias() && table.get("b") != null ? param(v, "b", table.get("b").reshape(out), trains) : null;
            INDArray zeros = Nd4j.zeros(type, out);
            return new Conv(v, ins, wName, bName, zeros, convArgs(c), relu, w.shape(), !ins.get(0).equals(inputName));
        }
        if (layer instanceof BatchNormalization bn) {
            if (!GraphWalk.isIdentity(bn.getActivationFn())) {
                throw new RebuildUnsupported(v + ": batch norm with activation " + bn.getActivationFn());
            }
            long n = BatchNormAffine.mean(table).length();
            INDArray mean = BatchNormAffine.mean(table).castTo(type);
            INDArray invStd = BatchNormAffine.std(bn, table).rdiv(1.0).castTo(type);
            String gamma = bn.isLockGammaBeta() ? constant(v + "_gamma", Nd4j.valueArrayOf(new long[] {n}, bn.getGamma()))
                    : param(v, "gamma", table.get("gamma").reshape(n), trains);
            String beta = bn.isLockGammaBeta() ? constant(v + "_beta", Nd4j.valueArrayOf(new long[] {n}, bn.getBeta()))
                    : param(v, "beta", table.get("beta").reshape(n), trains);
            String src = ins.get(0);
            for (int i = 0; i < nodes.size(); i++) {
                if (nodes.get(i) instanceof Conv conv && conv.name().equals(src) && !conv.relu && conv.mean == null
                        && walk.consumers(src).size() == 1 && !src.equals(gridName) && !src.equals(pooledName)) {
                    nodes.remove(i); // only this batch norm reads the convolution: fold it in
                    return conv.foldNorm(v, mean, invStd, gamma, beta);
                }
            }
            return new Norm(v, ins, mean, invStd, gamma, beta);
        }
        if (layer instanceof ActivationLayer a) {
            String src = ins.get(0);
            boolean inPlace = !src.equals(inputName) && walk.consumers(src).size() == 1 && !src.equals(gridName) && !src.equals(pooledName);
            return new Act(v, ins, relu(v, a.getActivationFn()), inPlace);
        }
        if (layer instanceof DropoutLayer) {
            return new Act(v, ins, false, false); // inference: dropout is the identity
        }
        if (layer instanceof SubsamplingLayer sl && sl.getClass() == SubsamplingLayer.class) {
            requireNchw(v, sl.getCnn2dDataFormat());
            boolean max = sl.getPoolingType() == PoolingType.MAX;
            boolean same = sl.getConvolutionMode() == ConvolutionMode.Same;
            if (!max && !(sl.getPoolingType() == PoolingType.AVG && !same && sl.getPadding()[0] == 0 && sl.getPadding()[1] == 0)) {
                throw new RebuildUnsupported(v + ": pooling " + sl.getPoolingType() + " with padding");
            }
            int[] k = sl.getKernelSize();
            int[] st = sl.getStride();
            int[] pad = sl.getPadding();
            int[] dil = sl.getDilation();
            int[] args = {k[0], k[1], st[0], st[1], same ? 0 : pad[0], same ? 0 : pad[1], dil[0], dil[1], same ? 1 : 0, 0, 1};
            return new Pool(v, ins, max ? "maxpool2d" : "avgpool2d", args);
        }
        throw new RebuildUnsupported(v + ": layer type " + layer.getClass().getSimpleName());
    }

    private static void requireNchw(String v, CNN2DFormat format) throws RebuildUnsupported {
        if (format != null && format != CNN2DFormat.NCHW) {
            throw new RebuildUnsupported(v + ": layer data format " + format);
        }
    }

    private static boolean relu(String v, IActivation act) throws RebuildUnsupported {
        if (GraphWalk.isIdentity(act)) {
            return false;
        }
        GraphWalk.requireRelu(v, act);
        return true;
    }

    /** conv2d's integer arguments: kernel, stride, padding, dilation, same mode, NHWC, weights [out, in, kH, kW]. */
    private static int[] convArgs(ConvolutionLayer c) {
        int[] k = c.getKernelSize();
        int[] st = c.getStride();
        int[] pad = c.getPadding();
        int[] dil = c.getDilation();
        boolean same = c.getConvolutionMode() == ConvolutionMode.Same;
        return new int[] {k[0], k[1], st[0], st[1], same ? 0 : pad[0], same ? 0 : pad[1], dil[0], dil[1], same ? 1 : 0, 1, 1};
    }

    /** A parameter: a trainable variable (named as the SameDiff rebuild names it) or a fixed constant. */
    private String param(String vertex, String key, INDArray value, boolean trains) {
        String name = vertex + "_" + key;
        if (trains) {
            variables.put(name, new String[] {vertex, key});
            initial.put(name, value.castTo(type).dup('c'));
            return name;
        }
        return constant(name, value);
    }

    private final Map<String, INDArray> constants = new HashMap<>();

    private String constant(String name, INDArray value) {
        constants.put(name, value.castTo(type).dup('c'));
        return name;
    }

    private INDArray value(String name, Params p, long... shape) {
        INDArray c = constants.get(name);
        return c != null ? c.reshape('c', shape) : p.get(name).reshape('c', shape);
    }

    private boolean trains(String name) {
        return name != null && variables.containsKey(name);
    }

    private static void exec(String op, INDArray[] in, INDArray[] out, int[] iArgs, double... tArgs) {
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(op).addInputs(in).addOutputs(out);
        if (iArgs.length > 0) {
            b.addIntegerArguments(iArgs);
        }
        if (tArgs.length > 0) {
            b.addFloatingPointArguments(java.util.Arrays.stream(tArgs).boxed().toArray(Double[]::new));
        }
        Nd4j.exec(b.build());
    }

    /**
     * A convolution, optionally with the batch norm after it folded in (frozen statistics make it a
     * per-channel scale s = invStd * gamma and shift): forward convolves with W * s and bias
     * (b - mean) * s + beta, one pass over the output instead of two. Backward gets, from the folded
     * convolution's gradients G (weights) and db (bias): dW = G * s, dbeta = db, dgamma = invStd *
     * (W . G + (b - mean) db), since sum(dy * conv(x, W)) = W . G for a convolution linear in W.
     * 1x1 convolutions without padding are GEMMs over the NHWC rows (strided: on the subsampled input),
     * which also skip the input gradient where nothing needs it (the split activations).
     */
    private final class Conv extends Node {
        private final String w;
        private final String b;
        private final INDArray zeros;
        private final int[] args;
        private final boolean relu;
        private final long[] wShape;
        private final boolean needDx;
        /** Folded batch norm, or null mean for a plain convolution. */
        private final INDArray mean;
        private final INDArray invStd;
        private final String gamma;
        private final String beta;

        Conv(String name, List<String> inputs, String w, String b, INDArray zeros, int[] args, boolean relu, long[] wShape,
             boolean needDx) {
            this(name, inputs, w, b, zeros, args, relu, wShape, needDx, null, null, null, null);
        }

        private Conv(String name, List<String> inputs, String w, String b, INDArray zeros, int[] args, boolean relu,
                     long[] wShape, boolean needDx, INDArray mean, INDArray invStd, String gamma, String beta) {
            super(name, inputs);
            this.w = w;
            this.b = b;
            this.zeros = zeros;
            this.args = args;
            this.relu = relu;
            this.wShape = wShape;
            this.needDx = needDx;
            this.mean = mean == null ? null : mean.reshape(-1, 1);
            this.invStd = invStd == null ? null : invStd.reshape(-1, 1);
            this.gamma = gamma;
            this.beta = beta;
        }

        /** This convolution followed by batch norm {@code bn}, as one node named after the batch norm. */
        Conv foldNorm(String bn, INDArray mean, INDArray invStd, String gamma, String beta) {
            return new Conv(bn, inputs, w, b, zeros, args, relu, wShape, needDx, mean, invStd, gamma, beta);
        }

        private INDArray bias(Params p) {
            return b == null ? zeros : value(b, p, zeros.length());
        }

        private boolean pointwise() {
            // kernel 1x1, no padding (same mode pads nothing for a 1x1 kernel)
            return args[0] == 1 && args[1] == 1 && (args[8] == 1 || (args[4] == 0 && args[5] == 0));
        }

        private long rows() {
            return wShape[0];
        }

        /** Per output channel [Cout, 1]: the folded batch norm's scale. */
        private INDArray scale(Params p) {
            return invStd.mul(value(gamma, p, rows(), 1));
        }

        @Override
        public INDArray forward(Map<String, INDArray> acts, Params p) {
            INDArray x = acts.get(inputs.get(0));
            INDArray weights = value(w, p, wShape);
            INDArray bias = bias(p);
            if (mean != null) {
                INDArray s = scale(p);
                INDArray folded = buffer("wf:" + name, wShape);
                folded.reshape('c', rows(), -1).assign(weights.reshape('c', rows(), -1)).muliColumnVector(s);
                weights = folded;
                bias = bias.reshape(rows(), 1).sub(mean).muli(s).addi(value(beta, p, rows(), 1)).reshape(rows());
            }
            INDArray y;
            if (pointwise()) {
                INDArray xs = subsampled(x);
                y = buffer("y:" + name, xs.size(0), xs.size(1), xs.size(2), rows());
                INDArray y2 = y.reshape('c', y.length() / rows(), rows());
                Nd4j.gemm(xs.reshape('c', xs.length() / xs.size(3), xs.size(3)), weights.reshape('c', rows(), -1), y2, false, true,
                        1.0, 0.0);
                if (mean != null || b != null) {
                    y2.addiRowVector(bias.reshape(1, rows()));
                }
            } else {
                y = buffer("y:" + name, outShape("conv2d", x, args, weights, bias));
                exec("conv2d", new INDArray[] {x, weights, bias}, new INDArray[] {y}, args);
            }
            if (relu) {
                exec("relu", new INDArray[] {y}, new INDArray[] {y}, new int[0], 0.0);
            }
            return y;
        }

        /** The input at the strided positions (a 1x1 kernel reads nothing else); the input itself at stride 1. */
        private INDArray subsampled(INDArray x) {
            int sh = args[2];
            int sw = args[3];
            if (sh == 1 && sw == 1) {
                return x;
            }
            long ho = (x.size(1) + sh - 1) / sh;
            long wo = (x.size(2) + sw - 1) / sw;
            return buffer("xs:" + name, x.size(0), ho, wo, x.size(3)).assign(x.get(NDArrayIndex.all(),
                    NDArrayIndex.interval(0, sh, x.size(1)), NDArrayIndex.interval(0, sw, x.size(2)), NDArrayIndex.all()));
        }

        @Override
        public List<INDArray> backward(Map<String, INDArray> acts, INDArray dOut, Params p) {
            INDArray x = acts.get(inputs.get(0));
            INDArray dz = dOut;
            if (relu) {
                dz = buffer("dz:" + name, dOut.shape());
                exec("relu_bp", new INDArray[] {acts.get(name), dOut}, new INDArray[] {dz}, new int[0], 0.0); // y > 0 iff z > 0
            }
            INDArray weights = value(w, p, wShape);
            INDArray s = mean == null ? null : scale(p);
            INDArray used = s == null ? weights : buffer("wf:" + name, wShape); // forward left the folded weights there
            INDArray dx = null;
            INDArray dw = buffer("dw:" + name, wShape); // gradient of the weights the op used (folded ones with batch norm)
            INDArray db = buffer("db:" + name, zeros.shape());
            if (pointwise()) {
                INDArray xs = subsampled(x);
                INDArray dz2 = dz.reshape('c', dz.length() / rows(), rows());
                INDArray dw2 = dw.reshape('c', rows(), -1);
                Nd4j.gemm(dz2, xs.reshape('c', xs.length() / xs.size(3), xs.size(3)), dw2, true, false, 1.0, 0.0);
                if (mean != null || b != null) {
                    // column sums as a product with ones: ND4J's reduction along the first axis of a long array is slow
                    INDArray ones = buffer("ones:" + name, 1, dz2.size(0)).assign(1.0);
                    Nd4j.gemm(ones, dz2, db.reshape(1, rows()), false, false, 1.0, 0.0);
                }
                if (needDx) {
                    dx = buffer("dx:" + name, x.shape());
                    if (xs == x) {
                        Nd4j.gemm(dz2, used.reshape('c', rows(), -1), dx.reshape('c', dx.length() / x.size(3), x.size(3)), false,
                                false, 1.0, 0.0);
                    } else {
                        INDArray dxs = buffer("dxs:" + name, xs.shape());
                        Nd4j.gemm(dz2, used.reshape('c', rows(), -1), dxs.reshape('c', dxs.length() / xs.size(3), xs.size(3)),
                                false, false, 1.0, 0.0);
                        dx.assign(0.0);
                        dx.get(NDArrayIndex.all(), NDArrayIndex.interval(0, args[2], x.size(1)),
                                NDArrayIndex.interval(0, args[3], x.size(2)), NDArrayIndex.all()).assign(dxs);
                    }
                }
            } else {
                dx = buffer("dx:" + name, x.shape());
                exec("conv2d_bp", new INDArray[] {x, used, mean == null ? bias(p) : zeros, dz}, new INDArray[] {dx, dw, db}, args);
                dx = needDx ? dx : null;
            }
            if (s != null) {
                if (trains(gamma)) {
                    // dgamma = invStd * (W . G + (b - mean) * db), per output channel
                    INDArray wg = buffer("wg:" + name, wShape).assign(weights).reshape('c', rows(), -1).muli(dw.reshape('c', rows(), -1))
                            .sum(true, 1); // [Cout, 1]
                    wg.addi(bias(p).reshape(rows(), 1).sub(mean).muli(db.reshape(rows(), 1))).muli(invStd);
                    p.grad(gamma).addi(wg.reshape(p.grad(gamma).shape()));
                }
                if (trains(beta)) {
                    p.grad(beta).addi(db.reshape(p.grad(beta).shape()));
                }
                dw.reshape('c', rows(), -1).muliColumnVector(s);
                db.reshape(rows(), 1).muli(s);
            }
            if (trains(w)) {
                p.grad(w).addi(dw.reshape(p.grad(w).shape()));
            }
            if (trains(b)) {
                p.grad(b).addi(db.reshape(p.grad(b).shape()));
            }
            List<INDArray> out = new ArrayList<>();
            out.add(dx);
            return out;
        }
    }

    /** Batch norm at inference statistics: y = (x - mean) * invStd * gamma + beta, per channel (NHWC: the last axis). */
    private final class Norm extends Node {
        private final INDArray mean;
        private final INDArray invStd;
        private final String gamma;
        private final String beta;

        Norm(String name, List<String> inputs, INDArray mean, INDArray invStd, String gamma, String beta) {
            super(name, inputs);
            this.mean = mean.reshape(1, -1);
            this.invStd = invStd.reshape(1, -1);
            this.gamma = gamma;
            this.beta = beta;
        }

        @Override
        public INDArray forward(Map<String, INDArray> acts, Params p) {
            INDArray x = acts.get(inputs.get(0));
            long c = mean.length();
            INDArray scale = invStd.mul(value(gamma, p, 1, c));
            INDArray shift = value(beta, p, 1, c).sub(mean.mul(scale));
            INDArray y = buffer("y:" + name, x.shape()).assign(x);
            y.reshape('c', x.length() / c, c).muliRowVector(scale).addiRowVector(shift);
            return y;
        }

        @Override
        public List<INDArray> backward(Map<String, INDArray> acts, INDArray dOut, Params p) {
            INDArray x = acts.get(inputs.get(0));
            long c = mean.length();
            INDArray dx = buffer("dx:" + name, dOut.shape()).assign(dOut);
            INDArray dRows = dx.reshape('c', dOut.length() / c, c);
            if (trains(gamma)) {
                // dgamma = invStd * (sum(dy * x) - mean * sum(dy)), without forming the normalised x.
                INDArray xRows = x.reshape('c', x.length() / c, c);
                INDArray sumDyX = dRows.mul(xRows).sum(true, 0);
                INDArray sumDy = dRows.sum(true, 0);
                p.grad(gamma).addi(sumDyX.subi(sumDy.mul(mean)).muli(invStd).reshape(p.grad(gamma).shape()));
            }
            if (trains(beta)) {
                p.grad(beta).addi(dRows.sum(true, 0).reshape(p.grad(beta).shape()));
            }
            INDArray scale = invStd.mul(value(gamma, p, 1, c));
            dRows.muliRowVector(scale);
            return List.of(dx);
        }
    }

    private final class Act extends Node {
        private final boolean relu;
        /** ReLU over its input's own array: nothing else reads the input before the ReLU (relu_bp's mask is the same after). */
        private final boolean inPlace;

        Act(String name, List<String> inputs, boolean relu, boolean inPlace) {
            super(name, inputs);
            this.relu = relu;
            this.inPlace = inPlace;
        }

        @Override
        public INDArray forward(Map<String, INDArray> acts, Params p) {
            INDArray x = acts.get(inputs.get(0));
            if (!relu) {
                return x;
            }
            INDArray y = inPlace ? x : buffer("y:" + name, x.shape());
            exec("relu", new INDArray[] {x}, new INDArray[] {y}, new int[0], 0.0);
            return y;
        }

        @Override
        public List<INDArray> backward(Map<String, INDArray> acts, INDArray dOut, Params p) {
            if (!relu) {
                return List.of(dOut);
            }
            INDArray dx = buffer("dx:" + name, dOut.shape());
            exec("relu_bp", new INDArray[] {acts.get(inputs.get(0)), dOut}, new INDArray[] {dx}, new int[0], 0.0);
            return List.of(dx);
        }
    }

    private final class Pool extends Node {
        private final String op;
        private final int[] args;

        Pool(String name, List<String> inputs, String op, int[] args) {
            super(name, inputs);
            this.op = op;
            this.args = args;
        }

        @Override
        public INDArray forward(Map<String, INDArray> acts, Params p) {
            INDArray x = acts.get(inputs.get(0));
            INDArray y = buffer("y:" + name, outShape(op, x, args));
            exec(op, new INDArray[] {x}, new INDArray[] {y}, args);
            return y;
        }

        @Override
        public List<INDArray> backward(Map<String, INDArray> acts, INDArray dOut, Params p) {
            INDArray x = acts.get(inputs.get(0));
            INDArray dx = buffer("dx:" + name, x.shape());
            exec(op + "_bp", new INDArray[] {x, dOut}, new INDArray[] {dx}, args);
            return List.of(dx);
        }
    }

    /** Channel concatenation (the fire module's two expands). */
    private final class Merge extends Node {
        Merge(String name, List<String> inputs) {
            super(name, inputs);
        }

        @Override
        public INDArray forward(Map<String, INDArray> acts, Params p) {
            INDArray[] parts = inputs.stream().map(acts::get).toArray(INDArray[]::new);
            long[] shape = parts[0].shape().clone();
            shape[3] = 0;
            for (INDArray part : parts) {
                shape[3] += part.size(3);
            }
            INDArray y = buffer("y:" + name, shape);
            exec("concat", parts, new INDArray[] {y}, new int[] {3});
            return y;
        }

        @Override
        public List<INDArray> backward(Map<String, INDArray> acts, INDArray dOut, Params p) {
            List<INDArray> d = new ArrayList<>();
            long from = 0;
            for (String in : inputs) {
                long c = acts.get(in).size(3);
                INDArray part = buffer("d" + d.size() + ":" + name, acts.get(in).shape());
                part.assign(dOut.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(from, from + c)));
                d.add(part);
                from += c;
            }
            return d;
        }
    }

    private final class Add extends Node {
        Add(String name, List<String> inputs) {
            super(name, inputs);
        }

        @Override
        public INDArray forward(Map<String, INDArray> acts, Params p) {
            INDArray sum = buffer("y:" + name, acts.get(inputs.get(0)).shape()).assign(acts.get(inputs.get(0)));
            for (int i = 1; i < inputs.size(); i++) {
                sum.addi(acts.get(inputs.get(i)));
            }
            return sum;
        }

        @Override
        public List<INDArray> backward(Map<String, INDArray> acts, INDArray dOut, Params p) {
            List<INDArray> d = new ArrayList<>();
            for (int i = 0; i < inputs.size(); i++) {
                d.add(dOut);
            }
            return d;
        }
    }
}

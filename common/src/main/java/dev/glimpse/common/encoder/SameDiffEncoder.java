package dev.glimpse.common.encoder;

import dev.glimpse.common.image.Preprocessor;
import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fast path: the part of a loaded ComputationGraph the features need, rebuilt as a SameDiff
 * graph in NHWC with OYXI weights, the bias inside each convolution, and batch norm folded into
 * the preceding convolution (ResNet-50 at 224, batch 16: ~20 img/s against 1-4 for the
 * ComputationGraph; convolutions are ~85% of the time). Built from the graph's configuration and
 * parameter tables; {@link #build} throws {@link RebuildUnsupported} on any layer it does not
 * translate, and {@link Encoders} checks its output against the ComputationGraph before using it.
 */
final class SameDiffEncoder extends EncoderPath {
    private static final String INPUT = "input";

    private final SameDiff sd;
    private final String gridName;
    private final String pooledName;

    private SameDiffEncoder(SameDiff sd, EncoderInfo info, String gridName, String pooledName, RandomInitCentering norm) {
        super(info, norm);
        this.sd = sd;
        this.gridName = gridName;
        this.pooledName = pooledName;
    }

    static SameDiffEncoder build(ComputationGraph graph, FeatureLayers layers, EncoderInfo info) throws RebuildUnsupported {
        Built b = new Builder(graph, layers, Set.of(), null, DataType.FLOAT).build(info.preprocess().inputSize());
        return new SameDiffEncoder(b.sd(), info, b.grid(), b.pooled(), RandomInitCentering.NONE);
    }

    /**
     * A translated graph: its input placeholder (NHWC), the grid output (NHWC) and the pooled output
     * (the dense vertex; null = the grid mean, left to the caller in the inference graph), and each
     * trainable variable with the vertex and DL4J parameter it stands for.
     */
    record Built(SameDiff sd, String input, int[] inputHwc, String grid, String pooled, Map<String, String[]> variables) {}

    /**
     * The part of the graph after {@code start} (a vertex every path to the features passes through;
     * null = from the image) with the parameters of {@code trainable} vertices as SameDiff variables in
     * DL4J's own layouts, so gradients come back as DL4J's parameter tables hold them. Batch norm of a
     * trainable vertex keeps its statistics frozen (inference formula) and its scale and shift trainable;
     * the pooled output is always part of the graph.
     */
    static Built buildTrainable(ComputationGraph graph, FeatureLayers layers, int inputSize, String start, Set<String> trainable,
            DataType type) throws RebuildUnsupported {
        Builder b = new Builder(graph, layers, trainable, start, type);
        Built built = b.build(inputSize);
        if (built.pooled() == null) {
            SDVariable pooled = b.sd.mean("pooled_mean", b.made.get(layers.grid()), 1, 2); // [B, C]
            built = new Built(built.sd(), built.input(), built.inputHwc(), built.grid(), pooled.name(), built.variables());
        }
        return built;
    }

    @Override
    SameDiffEncoder withNorm(EncoderInfo newInfo, RandomInitCentering newNorm) {
        return new SameDiffEncoder(sd, newInfo, gridName, pooledName, newNorm);
    }

    @Override
    EncodedBatch run(List<BufferedImage> images) {
        INDArray x = Preprocessor.toNhwc(images, info().preprocess()); // [B, S, S, 3]
        List<String> outs = pooledName == null ? List.of(gridName) : List.of(gridName, pooledName);
        Map<String, INDArray> result = sd.output(Map.of(INPUT, x), outs.toArray(new String[0]));
        INDArray nhwc = result.get(gridName); // [B, H, W, C]
        long b = nhwc.size(0);
        INDArray grid = nhwc.dup('c').reshape('c', b, nhwc.size(1) * nhwc.size(2), nhwc.size(3)); // [B, R, C]
        INDArray pooled = pooledName != null ? result.get(pooledName).dup('c') : grid.mean(1); // [B, F]
        return new EncodedBatch(pooled, grid);
    }

    @Override
    public void close() {
        // SameDiff holds its constants on the heap side of ND4J; nothing to release explicitly.
    }

    private static final class Builder {
        private final ComputationGraph graph;
        private final ComputationGraphConfiguration conf;
        private final FeatureLayers layers;
        private final SameDiff sd = SameDiff.create();
        private final Map<String, SDVariable> made = new HashMap<>();
        /** NHWC or flat: what layout each made variable is in. */
        private final Set<String> flat = new HashSet<>();
        private final Set<String> trainable;
        private final String start;
        private final DataType type;
        private final Map<String, String[]> variables = new java.util.LinkedHashMap<>();
        private GraphWalk walk;

        Builder(ComputationGraph graph, FeatureLayers layers, Set<String> trainable, String start, DataType type) {
            this.graph = graph;
            this.conf = graph.getConfiguration();
            this.layers = layers;
            this.trainable = trainable;
            this.start = start;
            this.type = type;
        }

        Built build(int s) throws RebuildUnsupported {
            walk = new GraphWalk(conf, layers.pooled() == null ? List.of(layers.grid()) : List.of(layers.grid(), layers.pooled()));
            List<String> order = walk.order();
            int[] hwc = {s, s, 3};
            if (start == null) {
                made.put(walk.input(), sd.placeHolder(INPUT, type, -1, s, s, 3));
            } else {
                int at = order.indexOf(start);
                if (at < 0) {
                    throw new RebuildUnsupported(start + ": not on the way to the features");
                }
                var t = conf.getLayerActivationTypes(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(s, s, 3)).get(start);
                if (!(t instanceof org.deeplearning4j.nn.conf.inputs.InputType.InputTypeConvolutional c)) {
                    throw new RebuildUnsupported(start + ": not a feature map");
                }
                hwc = new int[] {(int) c.getHeight(), (int) c.getWidth(), (int) c.getChannels()};
                made.put(start, sd.placeHolder(INPUT, type, -1, hwc[0], hwc[1], hwc[2]));
                order = order.subList(at + 1, order.size());
            }
            for (String v : order) {
                // Trainable convolutions keep their own weights: batch norm stays a separate (frozen-statistics) step.
                if (!(walk.foldsIntoBatchNorm(v) && !trainable.contains(v))) {
                    made.put(v, translate(v));
                }
            }
            String gridName = made.get(layers.grid()).name();
            String pooledName = layers.pooled() == null ? null : made.get(layers.pooled()).name();
            return new Built(sd, INPUT, hwc, gridName, pooledName, variables);
        }

        /** A parameter: a variable (DL4J layout) for a trainable vertex, else a constant in the given layout. */
        private SDVariable weight(String vertex, String param, String name, INDArray value) {
            INDArray v = value.castTo(type).dup('c');
            if (trainable.contains(vertex)) {
                variables.put(name, new String[] {vertex, param});
                return sd.var(name, v);
            }
            return sd.constant(name, v);
        }

        private SDVariable in(String vertex, int i) {
            return made.get(conf.getVertexInputs().get(vertex).get(i));
        }

        private SDVariable translate(String v) throws RebuildUnsupported {
            GraphVertex gv = conf.getVertices().get(v);
            if (gv instanceof MergeVertex) {
                List<String> ins = conf.getVertexInputs().get(v);
                SDVariable[] parts = new SDVariable[ins.size()];
                for (int i = 0; i < parts.length; i++) {
                    parts[i] = made.get(ins.get(i));
                }
                return sd.concat(v, 3, parts); // channels are last in NHWC
            }
            if (gv instanceof ElementWiseVertex e) {
                if (e.getOp() != ElementWiseVertex.Op.Add) {
                    throw new RebuildUnsupported(v + ": element-wise " + e.getOp());
                }
                List<String> ins = conf.getVertexInputs().get(v);
                SDVariable sum = made.get(ins.get(0));
                for (int i = 1; i < ins.size(); i++) {
                    sum = sum.add(i == ins.size() - 1 ? v : null, made.get(ins.get(i)));
                }
                return sum;
            }
            if (!(gv instanceof LayerVertex lv)) {
                throw new RebuildUnsupported(v + ": vertex type " + gv.getClass().getSimpleName());
            }
            Layer layer = lv.getLayerConf().getLayer();
            SDVariable x = in(v, 0);
            InputPreProcessor pre = lv.getPreProcessor();
            if (layer instanceof ConvolutionLayer c && c.getClass() == ConvolutionLayer.class) {
                requireNchwLayer(v, c.getCnn2dDataFormat());
                requireNoPreprocessor(v, pre);
                return conv(v, c, x);
            }
            if (layer instanceof BatchNormalization bn) {
                requireNoPreprocessor(v, pre);
                return batchNorm(v, bn, x);
            }
            if (layer instanceof ActivationLayer a) {
                requireNoPreprocessor(v, pre);
                return activation(v, a.getActivationFn(), x);
            }
            if (layer instanceof SubsamplingLayer p && p.getClass() == SubsamplingLayer.class) {
                requireNchwLayer(v, p.getCnn2dDataFormat());
                requireNoPreprocessor(v, pre);
                return pool(v, p, x);
            }
            if (layer instanceof ZeroPaddingLayer z) {
                requireNoPreprocessor(v, pre);
                int[] p = z.getPadding(); // top, bottom, left, right
                INDArray pads = Nd4j.createFromArray(new int[][] {{0, 0}, {p[0], p[1]}, {p[2], p[3]}, {0, 0}});
                return sd.nn().pad(v, x, sd.constant(pads), 0.0);
            }
            if (layer instanceof DropoutLayer) {
                requireNoPreprocessor(v, pre);
                return sd.identity(v, x); // inference: dropout is the identity
            }
            if (layer instanceof DenseLayer d) {
                return dense(v, d, x, pre);
            }
            throw new RebuildUnsupported(v + ": layer type " + layer.getClass().getSimpleName());
        }

        private static void requireNchwLayer(String v, CNN2DFormat format) throws RebuildUnsupported {
            if (format != null && format != CNN2DFormat.NCHW) {
                throw new RebuildUnsupported(v + ": layer data format " + format);
            }
        }

        private void requireNoPreprocessor(String v, InputPreProcessor pre) throws RebuildUnsupported {
            // The zoo's VGG16 declares a flat input, so its first convolution carries a
            // FeedForwardToCnn reshape, which leaves an input that is already a feature map as it is.
            boolean noOpReshape = pre instanceof FeedForwardToCnnPreProcessor
                    && !flat.contains(conf.getVertexInputs().get(v).get(0));
            if (pre != null && !noOpReshape) {
                throw new RebuildUnsupported(v + ": input preprocessor " + pre.getClass().getSimpleName());
            }
        }

        private Map<String, INDArray> params(String v) {
            return graph.getVertex(v).paramTable(false);
        }

        /** The conv's weights as OYXI [out, kH, kW, in] and its bias [out] (zeros without one). */
        private INDArray[] convWeights(String v, ConvolutionLayer c) {
            Map<String, INDArray> p = params(v);
            INDArray w = p.get("W").permute(0, 2, 3, 1).dup('c'); // [O, kH, kW, I]
            long out = w.size(0);
            INDArray b = c.hasBias() && p.get("b") != null ? p.get("b").reshape(out).dup() : Nd4j.zeros(DataType.FLOAT, out);
            return new INDArray[] {w, b};
        }

        private SDVariable conv(String v, ConvolutionLayer c, SDVariable x) throws RebuildUnsupported {
            if (trainable.contains(v)) {
                Map<String, INDArray> p = params(v);
                // YXIO: SameDiff's conv2d_bp in M2.1 refuses OYXI weights ("Op validation failed").
                SDVariable w = sd.permute(weight(v, "W", v + "_W", p.get("W")), 2, 3, 1, 0); // OIHW -> YXIO
                long out = p.get("W").size(0);
                SDVariable b = c.hasBias() && p.get("b") != null ? weight(v, "b", v + "_b", p.get("b").reshape(out))
                        : sd.constant(v + "_b", Nd4j.zeros(type, out));
                return convOp(v, c, x, w, b, c.getActivationFn(), WeightsFormat.YXIO);
            }
            INDArray[] wb = convWeights(v, c);
            return convOp(v, c, x, wb[0], wb[1], c.getActivationFn());
        }

        private SDVariable convOp(String name, ConvolutionLayer c, SDVariable x, INDArray w, INDArray b, IActivation act)
                throws RebuildUnsupported {
            return convOp(name, c, x, sd.constant(name + "_W", w.castTo(type)), sd.constant(name + "_b", b.castTo(type)), act,
                    WeightsFormat.OYXI);
        }

        private SDVariable convOp(String name, ConvolutionLayer c, SDVariable x, SDVariable w, SDVariable b, IActivation act,
                WeightsFormat format) throws RebuildUnsupported {
            int[] k = c.getKernelSize();
            int[] st = c.getStride();
            int[] pad = c.getPadding();
            int[] dil = c.getDilation();
            boolean same = c.getConvolutionMode() == ConvolutionMode.Same;
            if (c.getConvolutionMode() == ConvolutionMode.Causal) {
                throw new RebuildUnsupported(name + ": causal convolution");
            }
            Conv2DConfig cfg = Conv2DConfig.builder().kH(k[0]).kW(k[1]).sH(st[0]).sW(st[1])
                    .pH(same ? 0 : pad[0]).pW(same ? 0 : pad[1]).dH(dil[0]).dW(dil[1])
                    .paddingMode(same ? PaddingMode.SAME : PaddingMode.VALID)
                    .dataFormat("NHWC").weightsFormat(format).build();
            // Bias inside the conv: oneDNN adds it in the same pass (ResNet-50 batch 16: 727-789 ms
            // against 761-799 with a separate biasAdd, conv time unchanged).
            SDVariable z = sd.cnn().conv2d(isIdentity(act) ? name : null, x, w, b, cfg);
            return isIdentity(act) ? z : activation(name, act, z);
        }

        /** Folds into the preceding convolution when it feeds only this layer; else scale and shift. */
        private SDVariable batchNorm(String v, BatchNormalization bn, SDVariable x) throws RebuildUnsupported {
            BatchNormAffine affine = BatchNormAffine.of(bn, params(v));
            if (!isIdentity(bn.getActivationFn())) {
                throw new RebuildUnsupported(v + ": batch norm with activation " + bn.getActivationFn());
            }
            String src = walk.inputs(v).get(0);
            if (trainable.contains(v)) {
                // Frozen statistics, trainable scale and shift: y = (x - mean) / std * gamma + beta.
                Map<String, INDArray> p = params(v);
                long n = affine.scale().length();
                SDVariable norm = x.sub(sd.constant(v + "_mean", BatchNormAffine.mean(p).castTo(type)))
                        .mul(sd.constant(v + "_invstd", BatchNormAffine.std(bn, p).rdiv(1.0).castTo(type)));
                SDVariable gamma = bn.isLockGammaBeta() ? sd.constant(v + "_gamma", Nd4j.valueArrayOf(new long[] {n}, bn.getGamma()).castTo(type))
                        : weight(v, "gamma", v + "_gamma", p.get("gamma").reshape(n));
                SDVariable beta = bn.isLockGammaBeta() ? sd.constant(v + "_beta", Nd4j.valueArrayOf(new long[] {n}, bn.getBeta()).castTo(type))
                        : weight(v, "beta", v + "_beta", p.get("beta").reshape(n));
                return norm.mul(gamma).add(v, beta);
            }
            if (walk.foldsIntoBatchNorm(src)) {
                ConvolutionLayer c = (ConvolutionLayer) walk.layer(src);
                INDArray[] raw = convWeights(src, c);
                INDArray[] wb = affine.fold(raw[0], raw[1]);
                return convOp(v, c, made.get(walk.inputs(src).get(0)), wb[0], wb[1], new ActivationIdentity());
            }
            SDVariable scaled = x.mul(sd.constant(v + "_scale", affine.scale().castTo(type)));
            return sd.nn().biasAdd(v, scaled, sd.constant(v + "_shift", affine.shift().castTo(type)), false);
        }

        private SDVariable activation(String name, IActivation act, SDVariable x) throws RebuildUnsupported {
            if (isIdentity(act)) {
                return sd.identity(name, x);
            }
            if (GraphWalk.isPlainRelu(act)) {
                return sd.nn().relu(name, x, 0.0);
            }
            if (act instanceof ActivationSigmoid) {
                return sd.nn().sigmoid(name, x);
            }
            throw new RebuildUnsupported(name + ": activation " + act);
        }

        private static boolean isIdentity(IActivation act) {
            return GraphWalk.isIdentity(act);
        }

        private SDVariable pool(String v, SubsamplingLayer p, SDVariable x) throws RebuildUnsupported {
            int[] k = p.getKernelSize();
            int[] st = p.getStride();
            int[] pad = p.getPadding();
            int[] dil = p.getDilation();
            boolean same = p.getConvolutionMode() == ConvolutionMode.Same;
            boolean max = p.getPoolingType() == PoolingType.MAX;
            if (!max && !(p.getPoolingType() == PoolingType.AVG && !same && pad[0] == 0 && pad[1] == 0)) {
                throw new RebuildUnsupported(v + ": pooling " + p.getPoolingType() + " with padding");
            }
            Pooling2DConfig cfg = Pooling2DConfig.builder().kH(k[0]).kW(k[1]).sH(st[0]).sW(st[1])
                    .pH(same ? 0 : pad[0]).pW(same ? 0 : pad[1]).dH(dil[0]).dW(dil[1])
                    .paddingMode(same ? PaddingMode.SAME : PaddingMode.VALID)
                    .type(max ? Pooling2D.Pooling2DType.MAX : Pooling2D.Pooling2DType.AVG)
                    .isNHWC(true).build();
            return max ? sd.cnn().maxPooling2d(v, x, cfg) : sd.cnn().avgPooling2d(v, x, cfg);
        }

        private SDVariable dense(String v, DenseLayer d, SDVariable x, InputPreProcessor pre) throws RebuildUnsupported {
            String src = conf.getVertexInputs().get(v).get(0);
            if (!flat.contains(src)) {
                if (!(pre instanceof CnnToFeedForwardPreProcessor c) || (c.getFormat() != null && c.getFormat() != CNN2DFormat.NCHW)) {
                    throw new RebuildUnsupported(v + ": dense layer after a feature map without an NCHW flatten");
                }
                // DL4J flattens NCHW: channels outermost. Permute NHWC back before the reshape.
                x = sd.reshape(sd.permute(x, 0, 3, 1, 2), sd.constant(Nd4j.createFromArray(-1L, c.getNumChannels()
                        * c.getInputHeight() * c.getInputWidth())));
            } else if (pre != null) {
                throw new RebuildUnsupported(v + ": input preprocessor " + pre.getClass().getSimpleName());
            }
            Map<String, INDArray> p = params(v);
            SDVariable y = x.mmul(weight(v, "W", v + "_W", p.get("W")));
            if (d.hasBias()) {
                y = sd.nn().biasAdd(y, weight(v, "b", v + "_b", p.get("b").reshape(-1)), false);
            }
            flat.add(v);
            return activation(v, d.getActivationFn(), y);
        }
    }
}

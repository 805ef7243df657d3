package dev.glimpse.common.encoder;

import dev.glimpse.common.image.Preprocessor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.pooling_forward;
import org.bytedeco.dnnl.post_ops;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.dnnl.binary;
import org.bytedeco.dnnl.eltwise_forward;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_0;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC_1;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

/**
 * The fastest encoder path, for ResNet-style networks: convolutions, max pooling, residual adds and
 * ReLUs run as oneDNN primitives (the library ND4J's own convolutions use) in oneDNN's blocked
 * layout (nChw16c) from the first convolution to the grid. Batch norm is folded into the weights,
 * the bias, the residual add and the ReLU are fused into each convolution (post-ops), and the
 * weights are reordered once. Through ND4J/SameDiff every convolution reorders its input and
 * output between NHWC and the blocked layout and every add and ReLU is its own pass over memory.
 *
 * <p>Translates convolutions (+ batch norm), ReLU activation layers, max pooling and two-input adds
 * whose every tensor has a multiple of 16 channels after the first convolution; anything else is
 * {@link RebuildUnsupported} and the SameDiff rebuild is used. {@link Encoders} checks the
 * output against the ComputationGraph before using it, as for the SameDiff path.
 */
final class DnnlEncoder extends EncoderPath {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DnnlEncoder.class);
    private final List<Step> steps;
    private final Map<String, int[]> shapes; // tensor -> {C, H, W}
    private final String input;
    private final String grid;
    private static final int MAX_PLANS = 4;
    private final Map<Integer, Plan> plans;
    private final Map<String, memory> weights; // conv output name -> reordered weights, shared across plans
    private final List<memory> retired;        // weights in a second layout (rare), freed on close
    private final engine eng;
    private final stream strm;

    private DnnlEncoder(List<Step> steps, Map<String, int[]> shapes, String input, String grid, EncoderInfo info,
            RandomInitCentering norm, Map<Integer, Plan> plans, Map<String, memory> weights, List<memory> retired, engine eng,
            stream strm) {
        super(info, norm);
        this.steps = steps;
        this.shapes = shapes;
        this.input = input;
        this.grid = grid;
        this.plans = plans;
        this.weights = weights;
        this.retired = retired;
        this.eng = eng;
        this.strm = strm;
    }

    /** A convolution with batch norm folded in; sumWith = tensor the result is added to in place. */
    private record Conv(String out, String in, INDArray w, INDArray b, int[] k, int[] s, int[] padL, int[] padR,
                        String sumWith, boolean relu) {
        /** The same convolution producing {@code newOut}, adding into {@code newSumWith}, with or without ReLU. */
        Conv fused(String newOut, String newSumWith, boolean newRelu) {
            return new Conv(newOut, in, w, b, k, s, padL, padR, newSumWith, newRelu);
        }
    }

    private record Pool(String out, String in, int[] k, int[] s, int[] padL, int[] padR) {}

    private record Add(String out, String a, String b, boolean relu) {}

    private record Relu(String out, String in) {}

    private sealed interface Step permits ConvStep, PoolStep, AddStep, ReluStep {
        String out();

        List<String> ins();
    }

    private record ConvStep(Conv c) implements Step {
        public String out() {
            return c.out();
        }

        public List<String> ins() {
            return c.sumWith() == null ? List.of(c.in()) : List.of(c.in(), c.sumWith());
        }
    }

    private record PoolStep(Pool p) implements Step {
        public String out() {
            return p.out();
        }

        public List<String> ins() {
            return List.of(p.in());
        }
    }

    private record AddStep(Add a) implements Step {
        public String out() {
            return a.out();
        }

        public List<String> ins() {
            return List.of(a.a(), a.b());
        }
    }

    private record ReluStep(Relu r) implements Step {
        public String out() {
            return r.out();
        }

        public List<String> ins() {
            return List.of(r.in());
        }
    }

    static DnnlEncoder build(ComputationGraph graph, FeatureLayers layers, EncoderInfo info) throws RebuildUnsupported {
        if (!Nd4j.getBackend().getClass().getName().contains(".cpu.")) {
            throw new RebuildUnsupported("oneDNN path: needs ND4J's CPU backend (arrays in host memory)");
        }
        if (layers.pooled() != null) {
            throw new RebuildUnsupported("oneDNN path: pooled vector from a dense layer");
        }
        ComputationGraphConfiguration conf = graph.getConfiguration();
        GraphWalk walk = new GraphWalk(conf, List.of(layers.grid()));
        int size = info.preprocess().inputSize();
        Map<String, InputType> types = conf.getLayerActivationTypes(InputType.convolutional(size, size, 3));
        String input = walk.input();
        Map<String, int[]> shapes = new HashMap<>();
        shapes.put(input, new int[] {3, size, size});
        List<Step> steps = translate(graph, walk, layers.grid(), types, shapes);
        steps = fuseAdds(steps, layers.grid());
        steps = fuseRelus(steps, layers.grid());
        for (Step st : steps) {
            int[] shape = shapes.get(st.out());
            if (shape == null || shape[0] % 16 != 0) {
                throw new RebuildUnsupported("oneDNN path: " + st.out() + " channels not a multiple of 16");
            }
        }
        engine eng = new engine(engine.kind.cpu, 0);
        return new DnnlEncoder(steps, shapes, input, layers.grid(), info, RandomInitCentering.NONE, new HashMap<>(), new HashMap<>(),
                new ArrayList<>(), eng, new stream(eng));
    }

    @Override
    DnnlEncoder withNorm(EncoderInfo newInfo, RandomInitCentering newNorm) {
        return new DnnlEncoder(steps, shapes, input, grid, newInfo, newNorm, plans, weights, retired, eng, strm);
    }

    @Override
    EncodedBatch run(List<BufferedImage> images) {
        INDArray x = Preprocessor.toNhwc(images, info().preprocess()); // [B, S, S, 3]
        if (x.dataType() != DataType.FLOAT || x.ordering() != 'c' || x.offset() != 0) {
            x = x.castTo(DataType.FLOAT).dup('c');
        }
        int b = (int) x.size(0);
        Plan plan = plans.get(b);
        if (plan == null) {
            if (plans.size() >= MAX_PLANS) {
                // Batch sizes beyond a few distinct ones (a data set's last partial batch, one-image
                // requests) would each keep their activation buffers: drop one.
                Integer victim = plans.keySet().iterator().next();
                plans.remove(victim).close();
            }
            plan = new Plan(b);
            plans.put(b, plan);
        }
        int[] g = shapes.get(grid);
        INDArray nhwc = Nd4j.create(DataType.FLOAT, b, g[1], g[2], g[0]); // [B, H, W, C]
        plan.run(x, nhwc);
        INDArray gridArr = nhwc.reshape('c', b, (long) g[1] * g[2], g[0]); // [B, R, C]
        INDArray pooled = gridArr.mean(1); // [B, C]
        return new EncodedBatch(pooled, gridArr);
    }

    @Override
    public void close() {
        for (Plan p : plans.values()) {
            p.close();
        }
        plans.clear();
        weights.values().forEach(Pointer::close);
        weights.clear();
        retired.forEach(Pointer::close);
        retired.clear();
    }

    // ---------------------------------------------------------------- translation

    private static List<Step> translate(ComputationGraph graph, GraphWalk walk, String gridName,
            Map<String, InputType> types, Map<String, int[]> shapes) throws RebuildUnsupported {
        ComputationGraphConfiguration conf = walk.conf();
        List<Step> steps = new ArrayList<>();
        for (String v : walk.order()) {
            GraphVertex gv = conf.getVertices().get(v);
            List<String> ins = conf.getVertexInputs().get(v);
            if (types.get(v) instanceof InputType.InputTypeConvolutional t) {
                shapes.put(v, new int[] {(int) t.getChannels(), (int) t.getHeight(), (int) t.getWidth()});
            } else {
                throw new RebuildUnsupported("oneDNN path: " + v + " is not a feature map");
            }
            if (gv instanceof ElementWiseVertex e) {
                if (e.getOp() != ElementWiseVertex.Op.Add || ins.size() != 2) {
                    throw new RebuildUnsupported("oneDNN path: " + v + ": element-wise " + e.getOp());
                }
                steps.add(new AddStep(new Add(v, ins.get(0), ins.get(1), false)));
                continue;
            }
            if (!(gv instanceof LayerVertex lv) || lv.getPreProcessor() != null) {
                throw new RebuildUnsupported("oneDNN path: " + v + ": vertex " + gv.getClass().getSimpleName());
            }
            Layer layer = lv.getLayerConf().getLayer();
            if (layer instanceof ConvolutionLayer c && c.getClass() == ConvolutionLayer.class) {
                if (!walk.foldsIntoBatchNorm(v)) {
                    Conv conv = conv(graph, v, c, ins.get(0), v, shapes, types, null);
                    if (!isIdentity(c.getActivationFn())) {
                        requireRelu(v, c.getActivationFn());
                        conv = conv.fused(v, null, true); // the conv layer's own activation
                    }
                    steps.add(new ConvStep(conv));
                }
                continue;
            }
            if (layer instanceof BatchNormalization bn) {
                String src = walk.batchNormSource(v, bn);
                ConvolutionLayer c = (ConvolutionLayer) walk.layer(src);
                steps.add(new ConvStep(conv(graph, src, c, walk.inputs(src).get(0), v, shapes, types, bn)));
                continue;
            }
            if (layer instanceof ActivationLayer a) {
                requireRelu(v, a.getActivationFn());
                steps.add(new ReluStep(new Relu(v, ins.get(0))));
                continue;
            }
            if (layer instanceof SubsamplingLayer p && p.getClass() == SubsamplingLayer.class && p.getPoolingType() == PoolingType.MAX) {
                int[][] pads = pads(p.getConvolutionMode(), p.getKernelSize(), p.getStride(), p.getPadding(), p.getDilation(),
                        shapes.get(ins.get(0)), shapes.get(v));
                steps.add(new PoolStep(new Pool(v, ins.get(0), p.getKernelSize(), p.getStride(), pads[0], pads[1])));
                continue;
            }
            throw new RebuildUnsupported("oneDNN path: " + v + ": layer " + layer.getClass().getSimpleName());
        }
        return steps;
    }

    private static Conv conv(ComputationGraph graph, String convName, ConvolutionLayer c, String in, String out,
            Map<String, int[]> shapes, Map<String, InputType> types, BatchNormalization bn) throws RebuildUnsupported {
        if (c.getConvolutionMode() == ConvolutionMode.Causal) {
            throw new RebuildUnsupported("oneDNN path: causal convolution " + convName);
        }
        int[] d = c.getDilation();
        if (d[0] != 1 || d[1] != 1) {
            throw new RebuildUnsupported("oneDNN path: dilated convolution " + convName);
        }
        if (!(types.get(convName) instanceof InputType.InputTypeConvolutional)) {
            throw new RebuildUnsupported("oneDNN path: " + convName + " is not a feature map");
        }
        InputType.InputTypeConvolutional t = (InputType.InputTypeConvolutional) types.get(convName);
        int[] outShape = {(int) t.getChannels(), (int) t.getHeight(), (int) t.getWidth()};
        int[][] pads = pads(c.getConvolutionMode(), c.getKernelSize(), c.getStride(), c.getPadding(), d, shapes.get(in), outShape);
        Map<String, INDArray> p = graph.getVertex(convName).paramTable(false);
        INDArray w = p.get("W").castTo(DataType.FLOAT).dup('c'); // [O, I, kH, kW] = oihw
        long o = w.size(0);
        INDArray b = c.hasBias() && p.get("b") != null ? p.get("b").castTo(DataType.FLOAT).reshape(o).dup()
                : Nd4j.zeros(DataType.FLOAT, o);
        if (bn != null) {
            INDArray[] folded = BatchNormAffine.of(bn, graph.getVertex(out).paramTable(false)).fold(w, b);
            w = folded[0];
            b = folded[1];
        }
        return new Conv(out, in, w, b, c.getKernelSize(), c.getStride(), pads[0], pads[1], null, false);
    }

    /** Left/top and right/bottom padding: explicit (Truncate/Strict) or TF-style SAME. */
    private static int[][] pads(ConvolutionMode mode, int[] k, int[] s, int[] pad, int[] dil, int[] in, int[] out)
            throws RebuildUnsupported {
        if (dil != null && (dil[0] != 1 || dil[1] != 1)) {
            throw new RebuildUnsupported("oneDNN path: dilation");
        }
        if (mode == ConvolutionMode.Same) {
            int[] l = new int[2];
            int[] r = new int[2];
            for (int i = 0; i < 2; i++) {
                int total = Math.max((out[i + 1] - 1) * s[i] + k[i] - in[i + 1], 0);
                l[i] = total / 2;
                r[i] = total - l[i];
            }
            return new int[][] {l, r};
        }
        int[] r = new int[2];
        for (int i = 0; i < 2; i++) {
            // Truncate drops what does not fit: the right padding is what the output size needs.
            r[i] = (out[i + 1] - 1) * s[i] + k[i] - in[i + 1] - pad[i];
            if (r[i] < 0 || r[i] > pad[i]) {
                r[i] = Math.max(0, Math.min(r[i], pad[i]));
            }
        }
        return new int[][] {pad.clone(), r};
    }

    private static void requireRelu(String v, IActivation act) throws RebuildUnsupported {
        GraphWalk.requireRelu("oneDNN path: " + v, act);
    }

    private static boolean isIdentity(IActivation act) {
        return GraphWalk.isIdentity(act);
    }

    /**
     * Add(a, b) where a comes from a convolution used only by the add and b is not used after that
     * convolution: the convolution adds into b's memory (sum post-op) and the add disappears.
     */
    private static List<Step> fuseAdds(List<Step> steps, String gridName) {
        List<Step> out = new ArrayList<>(steps);
        for (int i = 0; i < out.size(); i++) {
            if (!(out.get(i) instanceof AddStep add)) {
                continue;
            }
            for (String[] pair : new String[][] {{add.a().a(), add.a().b()}, {add.a().b(), add.a().a()}}) {
                int ci = producer(out, pair[0]);
                if (ci < 0 || !(out.get(ci) instanceof ConvStep cs) || cs.c().relu() || cs.c().sumWith() != null
                        || uses(out, pair[0]) != 1 || pair[0].equals(gridName) || pair[1].equals(gridName)) {
                    continue;
                }
                int bi = producer(out, pair[1]);
                if (bi > ci || lastUse(out, pair[1], i) > ci || pair[0].equals(pair[1])) {
                    continue; // b must be ready before the conv and dead after it
                }
                out.set(ci, new ConvStep(cs.c().fused(add.out(), pair[1], false)));
                out.remove(i);
                i--;
                break;
            }
        }
        return out;
    }

    /** A ReLU whose input comes from a convolution or add used only by it becomes a post-op / flag of that step. */
    private static List<Step> fuseRelus(List<Step> steps, String gridName) {
        List<Step> out = new ArrayList<>(steps);
        for (int i = 0; i < out.size(); i++) {
            if (!(out.get(i) instanceof ReluStep rs)) {
                continue;
            }
            String in = rs.r().in();
            int pi = producer(out, in);
            if (pi < 0 || uses(out, in) != 1 || in.equals(gridName)) {
                continue;
            }
            Step p = out.get(pi);
            if (p instanceof ConvStep cs && !cs.c().relu()) {
                out.set(pi, new ConvStep(cs.c().fused(rs.out(), cs.c().sumWith(), true)));
            } else if (p instanceof AddStep as && !as.a().relu()) {
                out.set(pi, new AddStep(new Add(rs.out(), as.a().a(), as.a().b(), true)));
            } else {
                continue;
            }
            out.remove(i);
            i--;
        }
        return out;
    }

    private static int producer(List<Step> steps, String tensor) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).out().equals(tensor)) {
                return i;
            }
        }
        return -1;
    }

    private static int uses(List<Step> steps, String tensor) {
        int n = 0;
        for (Step s : steps) {
            for (String in : s.ins()) {
                if (in.equals(tensor)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Index of the last step other than {@code except} reading the tensor, or -1. */
    private static int lastUse(List<Step> steps, String tensor, int except) {
        int last = -1;
        for (int i = 0; i < steps.size(); i++) {
            if (i != except && steps.get(i).ins().contains(tensor)) {
                last = i;
            }
        }
        return last;
    }

    // ---------------------------------------------------------------- execution

    /** Primitives and memory for one batch size; buffers are reused once their tensor is dead. */
    private final class Plan implements AutoCloseable {
        private final List<primitive> prims = new ArrayList<>();
        private final List<IntMemoryMap> args = new ArrayList<>();
        private final List<Pointer> keep = new ArrayList<>();
        private final memory inputMem;
        private final memory gridUser;
        private final reorder gridReorder;
        private final IntMemoryMap gridArgs;

        Plan(int batch) {
            Map<String, memory> mem = new HashMap<>();
            Map<Long, List<memory>> free = new HashMap<>();
            Map<String, Integer> last = new HashMap<>();
            for (int i = 0; i < steps.size(); i++) {
                for (String in : steps.get(i).ins()) {
                    last.put(in, i);
                }
            }
            last.put(grid, Integer.MAX_VALUE);
            int[] x = shapes.get(input);
            memory.desc inDesc = new memory.desc(new long[] {batch, x[0], x[1], x[2]}, memory.data_type.f32, memory.format_tag.nhwc);
            inputMem = new memory(inDesc, eng); // its handle is set to each batch's array

            keep.add(inDesc);
            keep.add(inputMem);
            mem.put(input, inputMem);
            for (int i = 0; i < steps.size(); i++) {
                Step st = steps.get(i);
                int[] o = shapes.get(st.out());
                memory.desc outDesc = blocked(batch, o);
                keep.add(outDesc);
                memory dst;
                if (st instanceof ConvStep cs && cs.c().sumWith() != null) {
                    dst = mem.get(cs.c().sumWith()); // accumulate in place
                } else {
                    // A freed buffer of the same byte size may hold a tensor of other dimensions: a new
                    // memory object with this tensor's descriptor over the same data.
                    List<memory> pool = free.get(outDesc.get_size());
                    dst = pool != null && !pool.isEmpty() ? new memory(outDesc, eng, pool.remove(pool.size() - 1).get_data_handle())
                            : new memory(outDesc, eng);
                    keep.add(dst);
                }
                IntMemoryMap a = new IntMemoryMap();
                keep.add(a);
                if (st instanceof ConvStep cs) {
                    try {
                        prims.add(conv(cs.c(), batch, mem.get(cs.c().in()), dst, outDesc, a));
                    } catch (RuntimeException e) {
                        Conv c = cs.c();
                        throw new IllegalStateException("oneDNN convolution " + c.out() + " " + java.util.Arrays.toString(shapes.get(c.in()))
                                + " -> " + java.util.Arrays.toString(o) + " k" + java.util.Arrays.toString(c.k()) + " s"
                                + java.util.Arrays.toString(c.s()) + " pad " + java.util.Arrays.toString(c.padL()) + "/"
                                + java.util.Arrays.toString(c.padR()) + ": " + e.getMessage(), e);
                    }
                } else if (st instanceof PoolStep ps) {
                    prims.add(pool(ps.p(), batch, mem.get(ps.p().in()), dst, outDesc, a));
                } else if (st instanceof AddStep as) {
                    prims.add(add(as.a(), mem.get(as.a().a()), mem.get(as.a().b()), dst, outDesc, a));
                } else if (st instanceof ReluStep rs) {
                    prims.add(relu(mem.get(rs.r().in()), dst, outDesc, a));
                }
                args.add(a);
                mem.put(st.out(), dst);
                // Tensors read for the last time here give their memory back (not the input, not a sum target).
                for (String in : st.ins()) {
                    if (last.getOrDefault(in, -1) == i && !in.equals(input)
                            && !(st instanceof ConvStep cs2 && in.equals(cs2.c().sumWith()))) {
                        memory m = mem.get(in);
                        free.computeIfAbsent(m.get_desc().get_size(), k -> new ArrayList<>()).add(m);
                    }
                }
            }
            int[] g = shapes.get(grid);
            memory.desc userDesc = new memory.desc(new long[] {batch, g[0], g[1], g[2]}, memory.data_type.f32, memory.format_tag.nhwc);
            keep.add(userDesc);
            gridUser = new memory(userDesc, eng); // its handle is set to each batch's output array
            keep.add(gridUser);
            memory gridMem = mem.get(grid);
            gridReorder = new reorder(gridMem, gridUser, new primitive_attr());
            keep.add(gridReorder);
            gridArgs = new IntMemoryMap();
            gridArgs.put(DNNL_ARG_FROM, gridMem);
            gridArgs.put(DNNL_ARG_TO, gridUser);
            keep.add(gridArgs);
        }

        private memory.desc blocked(int batch, int[] chw) {
            return new memory.desc(new long[] {batch, chw[0], chw[1], chw[2]}, memory.data_type.f32, memory.format_tag.nChw16c);
        }

        private primitive conv(Conv c, int batch, memory src, memory dst, memory.desc dstDesc, IntMemoryMap a) {
            long o = c.w().size(0);
            long i = c.w().size(1);
            memory.desc wAny = new memory.desc(new long[] {o, i, c.k()[0], c.k()[1]}, memory.data_type.f32, memory.format_tag.any);
            memory.desc wUser = new memory.desc(new long[] {o, i, c.k()[0], c.k()[1]}, memory.data_type.f32, memory.format_tag.oihw);
            memory.desc bDesc = new memory.desc(new long[] {o}, memory.data_type.f32, memory.format_tag.x);
            // The network input (3 channels, NHWC) is left to oneDNN's choice and reordered: with NHWC
            // as given it picks a reference kernel for the first layer (~100x slower).
            boolean first = src == inputMem;
            memory.desc srcDesc = first ? new memory.desc(new long[] {batch, i, shapes.get(input)[1], shapes.get(input)[2]},
                    memory.data_type.f32, memory.format_tag.any) : src.get_desc();
            convolution_forward.desc d = new convolution_forward.desc(org.bytedeco.dnnl.global.dnnl.prop_kind.forward_inference,
                    org.bytedeco.dnnl.global.dnnl.algorithm.convolution_direct, srcDesc, wAny, bDesc, dstDesc,
                    new long[] {c.s()[0], c.s()[1]}, new long[] {c.padL()[0], c.padL()[1]}, new long[] {c.padR()[0], c.padR()[1]});
            post_ops po = new post_ops();
            if (c.sumWith() != null) {
                po.append_sum();
            }
            if (c.relu()) {
                po.append_eltwise(1f, org.bytedeco.dnnl.global.dnnl.algorithm.eltwise_relu, 0f, 0f);
            }
            primitive_attr attr = new primitive_attr();
            attr.set_post_ops(po);
            convolution_forward.primitive_desc pd = new convolution_forward.primitive_desc(d, attr, eng);
            if (LOG.isDebugEnabled()) {
                LOG.debug("{}: oneDNN {} (batch {})", c.out(), pd.impl_info_str().getString(), batch);
            }
            // The bias memory wraps c.b()'s buffer: the steps keep that array alive as long as the encoder.
            memory wMem = reorderedWeights(c, wUser, pd.weights_desc());
            memory bMem = new memory(bDesc, eng, data(c.b()));
            if (first && !pd.src_desc().equals(src.get_desc())) {
                memory staged = new memory(pd.src_desc(), eng);
                reorder toConv = new reorder(src, staged, new primitive_attr());
                IntMemoryMap ta = new IntMemoryMap();
                ta.put(DNNL_ARG_FROM, src);
                ta.put(DNNL_ARG_TO, staged);
                prims.add(toConv);
                args.add(ta);
                keep.addAll(List.of(staged, toConv, ta));
                src = staged;
            }
            a.put(DNNL_ARG_SRC, src);
            a.put(DNNL_ARG_WEIGHTS, wMem);
            a.put(DNNL_ARG_BIAS, bMem);
            a.put(DNNL_ARG_DST, dst);
            keep.addAll(List.of(wAny, wUser, bDesc, d, po, attr, pd, bMem));
            convolution_forward p = new convolution_forward(pd);
            keep.add(p);
            return p;
        }

        private primitive pool(Pool p, int batch, memory src, memory dst, memory.desc dstDesc, IntMemoryMap a) {
            pooling_forward.desc d = new pooling_forward.desc(org.bytedeco.dnnl.global.dnnl.prop_kind.forward_inference,
                    org.bytedeco.dnnl.global.dnnl.algorithm.pooling_max, src.get_desc(), dstDesc,
                    new org.bytedeco.javacpp.LongPointer(new long[] {p.s()[0], p.s()[1]}),
                    new org.bytedeco.javacpp.LongPointer(new long[] {p.k()[0], p.k()[1]}),
                    new org.bytedeco.javacpp.LongPointer(new long[] {p.padL()[0], p.padL()[1]}),
                    new org.bytedeco.javacpp.LongPointer(new long[] {p.padR()[0], p.padR()[1]}));
            pooling_forward.primitive_desc pd = new pooling_forward.primitive_desc(d, eng);
            a.put(DNNL_ARG_SRC, src);
            a.put(DNNL_ARG_DST, dst);
            pooling_forward prim = new pooling_forward(pd);
            keep.addAll(List.of(d, pd, prim));
            return prim;
        }

        private primitive add(Add add, memory x, memory y, memory dst, memory.desc dstDesc, IntMemoryMap a) {
            binary.desc d = new binary.desc(org.bytedeco.dnnl.global.dnnl.algorithm.binary_add, x.get_desc(), y.get_desc(), dstDesc);
            post_ops po = new post_ops();
            if (add.relu()) {
                po.append_eltwise(1f, org.bytedeco.dnnl.global.dnnl.algorithm.eltwise_relu, 0f, 0f);
            }
            primitive_attr attr = new primitive_attr();
            attr.set_post_ops(po);
            binary.primitive_desc pd = new binary.primitive_desc(d, attr, eng);
            a.put(DNNL_ARG_SRC_0, x);
            a.put(DNNL_ARG_SRC_1, y);
            a.put(DNNL_ARG_DST, dst);
            binary prim = new binary(pd);
            keep.addAll(List.of(d, po, attr, pd, prim));
            return prim;
        }

        private primitive relu(memory x, memory dst, memory.desc dstDesc, IntMemoryMap a) {
            eltwise_forward.desc d = new eltwise_forward.desc(org.bytedeco.dnnl.global.dnnl.prop_kind.forward_inference,
                    org.bytedeco.dnnl.global.dnnl.algorithm.eltwise_relu, x.get_desc(), 0f, 0f);
            eltwise_forward.primitive_desc pd = new eltwise_forward.primitive_desc(d, eng);
            a.put(DNNL_ARG_SRC, x);
            a.put(DNNL_ARG_DST, dst);
            eltwise_forward prim = new eltwise_forward(pd);
            keep.addAll(List.of(d, pd, prim));
            return prim;
        }

        void run(INDArray x, INDArray gridNhwc) {
            inputMem.set_data_handle(data(x), strm);
            gridUser.set_data_handle(data(gridNhwc), strm);
            for (int i = 0; i < prims.size(); i++) {
                prims.get(i).execute(strm, args.get(i));
            }
            gridReorder.execute(strm, gridArgs);
            strm._wait();
        }

        @Override
        public void close() {
            for (int i = keep.size() - 1; i >= 0; i--) {
                keep.get(i).close();
            }
            keep.clear();
        }
    }

    /**
     * The convolution's weights in the layout its primitive wants, reordered once and shared by the
     * plans of all batch sizes when they want the same layout (ResNet-50: ~100 MB each).
     */
    private memory reorderedWeights(Conv c, memory.desc userDesc, memory.desc want) {
        memory cached = weights.get(c.out());
        if (cached != null && cached.get_desc().equals(want)) {
            return cached;
        }
        memory user = new memory(userDesc, eng, data(c.w()));
        memory w = new memory(want, eng);
        reorder r = new reorder(user, w, new primitive_attr());
        IntMemoryMap ra = new IntMemoryMap();
        ra.put(DNNL_ARG_FROM, user);
        ra.put(DNNL_ARG_TO, w);
        r.execute(strm, ra);
        strm._wait();
        ra.close();
        r.close();
        user.close();
        if (cached == null) {
            weights.put(c.out(), w);
        } else {
            retired.add(w); // another layout for another batch size: owned until close()
        }
        return w;
    }

    private static FloatPointer data(INDArray a) {
        return new FloatPointer(a.data().addressPointer());
    }
}

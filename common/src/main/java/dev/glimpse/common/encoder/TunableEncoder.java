package dev.glimpse.common.encoder;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.image.Preprocessor;
import dev.glimpse.common.nn.Init;
import dev.glimpse.common.nn.Params;
import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An encoder cut in two for fine-tuning: a frozen prefix (image to the split point), run once per
 * image and cached like features, and a trainable suffix (split point to grid and pooled vector) run
 * forward and backward at every step. The suffix is the network's own layers rebuilt in SameDiff
 * (NHWC, the same translation as the inference path) with their parameters as variables in DL4J's
 * layouts; batch norm keeps its running statistics frozen (inference formula) while its scale and
 * shift train. Random-init centring is measured once on the base weights and then stays fixed, so
 * features move only because the weights learn.
 *
 * <p>The trainable parameters live in one {@link Params} (flat buffer, one Adam) and are copied into
 * the SameDiff variables when they changed. Backward takes dL/dpooled and dL/dgrid of the centred
 * features and adds the parameter gradients to {@code params().flatGrad()}. Not thread-safe.
 */
public final class TunableEncoder implements AutoCloseable {
    private final Encoders.Loaded loaded;
    private final FineTune mode;
    private final EncoderBlocks blocks;
    private final EncoderInfo info;
    private final RandomInitCentering norm;
    /** Our own kernels when the suffix translates to them, else null and {@link #suffix} runs it. */
    private final ConvSuffix fast;
    private final SameDiffEncoder.Built suffix;
    private final int[] inputHwc;
    private final String gradGrid;
    private final String gradPooled;
    private final Params params;
    private final Map<String, String> paramOfVariable = new LinkedHashMap<>(); // SameDiff variable -> vertex/param
    /** sha256 of the base values of every parameter {@link #tunedWeights()} holds (set once, by the factory). */
    private String baseSha256;
    /** Tuned parameters this run started from (another model's encoder), or null: they stay in the saved weights. */
    private TunedWeights start;
    private long synced = -1;

    private TunableEncoder(Encoders.Loaded loaded, FineTune mode, EncoderBlocks blocks, EncoderInfo info,
                           RandomInitCentering norm, ConvSuffix fast, SameDiffEncoder.Built suffix, DataType type) {
        this.loaded = loaded;
        this.mode = mode;
        this.blocks = blocks;
        this.info = info;
        this.norm = norm;
        this.fast = fast;
        this.suffix = suffix;
        Map<String, INDArray> initial = new LinkedHashMap<>();
        if (fast != null) {
            this.inputHwc = fast.inputHwc();
            this.gradGrid = null;
            this.gradPooled = null;
            fast.variables().forEach((name, vp) -> {
                initial.put(name, fast.initial(name));
                paramOfVariable.put(name, vp[0] + "/" + vp[1]);
            });
        } else {
            this.inputHwc = suffix.inputHwc();
            SameDiff sd = suffix.sd();
            SDVariable grid = sd.getVariable(suffix.grid());
            SDVariable pooled = sd.getVariable(suffix.pooled());
            int[] g = gridShape();
            SDVariable dg = sd.placeHolder("d_grid", type, -1, g[0], g[1], g[2]);
            SDVariable dp = sd.placeHolder("d_pooled", type, -1, info.pooledDim());
            // d(sum(grid . dGrid) + sum(pooled . dPooled)) / dtheta is the vector-Jacobian product backward needs.
            SDVariable loss = sd.sum(grid.mul(dg)).add("vjp", sd.sum(pooled.mul(dp)));
            sd.setLossVariables(loss);
            this.gradGrid = dg.name();
            this.gradPooled = dp.name();
            suffix.variables().forEach((name, vp) -> {
                initial.put(name, sd.getArrForVarName(name));
                paramOfVariable.put(name, vp[0] + "/" + vp[1]);
            });
        }
        Params.Builder pb = Params.builder().dataType(type);
        initial.forEach((name, v) -> pb.add(name, (int) v.size(0), (int) (v.length() / v.size(0)), Init.zeros()));
        if (paramOfVariable.isEmpty()) {
            throw new GlimpseException(info.name() + ": nothing to fine-tune after " + blocks.split());
        }
        this.params = pb.build(0);
        initial.forEach((name, v) -> params.get(name).assign(v.castTo(type).reshape('c', params.get(name).shape())));
        params.changed();
        this.baseSha256 = TunedWeights.checksum(loaded.graph(), paramOfVariable.values());
    }

    /** Opens the network as {@link Encoders#open} would and cuts it for {@code mode} (not none). */
    public static TunableEncoder open(EncoderRequest request, PreprocessSpec preprocess, FineTune mode) {
        return open(request, preprocess, mode, DataType.FLOAT);
    }

    static TunableEncoder open(EncoderRequest request, PreprocessSpec preprocess, FineTune mode, DataType type) {
        return open(request, preprocess, mode, type, null);
    }

    /**
     * As {@link #open(EncoderRequest, PreprocessSpec, FineTune)}, starting from another model's tuned
     * encoder ({@code start}, e.g. the one a captioner fine-tuned): its parameters go in place first
     * (random-init centring still measured on the base weights, as {@link Encoders#open} does), this
     * run tunes the part {@code mode} names, and the saved weights hold both, checksummed on the base.
     */
    public static TunableEncoder open(EncoderRequest request, PreprocessSpec preprocess, FineTune mode, TunedWeights start) {
        return open(request, preprocess, mode, DataType.FLOAT, start);
    }

    static TunableEncoder open(EncoderRequest request, PreprocessSpec preprocess, FineTune mode, DataType type, TunedWeights start) {
        Encoders.Loaded loaded = Encoders.load(request, preprocess);
        RandomInitCentering norm = Encoders.centring(loaded, request.randomInit());
        if (start == null) {
            return of(loaded, mode, norm, type);
        }
        // The keys the saved weights will hold, checksummed on the base values before the start values replace them.
        java.util.Set<String> keys = new java.util.TreeSet<>(start.values().keySet());
        keys.addAll(of(loaded, mode, norm, type).paramOfVariable.values());
        String base = TunedWeights.checksum(loaded.graph(), keys);
        start.applyTo(loaded.graph());
        TunableEncoder enc = of(loaded, mode, norm, type);
        enc.baseSha256 = base;
        enc.start = start;
        return enc;
    }

    static TunableEncoder of(Encoders.Loaded loaded, FineTune mode, RandomInitCentering norm, DataType type) {
        return of(loaded, mode, norm, type, true);
    }

    /** {@code ownKernels} false: always the SameDiff rebuild (the reference our kernels are compared with). */
    static TunableEncoder of(Encoders.Loaded loaded, FineTune mode, RandomInitCentering norm, DataType type, boolean ownKernels) {
        if (mode.none()) {
            throw new IllegalArgumentException("fine-tune none has no trainable part");
        }
        try {
            EncoderBlocks blocks = EncoderBlocks.of(loaded.graph().getConfiguration(), loaded.layers(), mode);
            int size = loaded.raw().preprocess().inputSize();
            ConvSuffix fast = null;
            if (ownKernels) {
                try {
                    fast = ConvSuffix.build(loaded.graph(), loaded.layers(), size, blocks.split(), blocks.trainable(), type);
                } catch (RebuildUnsupported e) {
                    fast = null; // e.g. a dense pooled layer (VGG's fc2): SameDiff has it
                }
            }
            SameDiffEncoder.Built suffix = fast != null ? null
                    : SameDiffEncoder.buildTrainable(loaded.graph(), loaded.layers(), size, blocks.split(), blocks.trainable(), type);
            EncoderInfo info = loaded.raw().withFeatureNorm(norm.description());
            return new TunableEncoder(loaded, mode, blocks, info, norm, fast, suffix, type);
        } catch (RebuildUnsupported e) {
            throw new GlimpseException(loaded.raw().name() + ": cannot fine-tune this network: " + e.getMessage());
        }
    }

    /** Whether the trainable part runs on our own kernels ({@link ConvSuffix}) rather than the SameDiff rebuild. */
    public boolean ownKernels() {
        return fast != null;
    }

    /** The full encoder's identity, as {@link Encoders#open} reports it for the base weights. */
    public EncoderInfo info() {
        return info;
    }

    public FineTune mode() {
        return mode;
    }

    /** The vertex the trainable part starts after, or null (the image). */
    public String split() {
        return blocks.split();
    }

    /** Parameter blocks before the grid (what lastN counts). */
    public int blocks() {
        return blocks.blocks();
    }

    public Params params() {
        return params;
    }

    /** {H, W, C} of the split-point activations (the image itself for null split). */
    public int[] splitShape() {
        return inputHwc.clone();
    }

    /**
     * The frozen prefix as an encoder for the feature cache: its "grid" is the split-point activation
     * [B, H*W, C] (regions row-major, NHWC), its pooled vector the channel mean; the info names the
     * split point, so a cache of one split is never read as another's. Close it after extraction.
     */
    public ImageEncoder prefix() {
        int[] hwc = splitShape();
        String split = blocks.split();
        EncoderInfo prefixInfo = prefixInfo();
        if (split == null) {
            return new PixelEncoder(prefixInfo);
        }
        FeatureLayers at = new FeatureLayers(split, null, hwc[0], hwc[1], hwc[2], hwc[2], loaded.layers().convLayers());
        GraphEncoder reference = new GraphEncoder(loaded.graph(), at, prefixInfo, RandomInitCentering.NONE);
        EncoderPath fast = Encoders.fastPath(loaded.graph(), at, prefixInfo, reference);
        return fast != null ? fast : reference;
    }

    /** What {@link #prefix()} reports, without building it (split activations held in memory are described by it too). */
    public EncoderInfo prefixInfo() {
        int[] hwc = splitShape();
        String split = blocks.split() == null ? "image" : blocks.split();
        EncoderInfo raw = loaded.raw();
        return new EncoderInfo(raw.name(), hwc[2], hwc[0], hwc[1], hwc[2], raw.preprocess(), raw.randomInit(),
                raw.weightsSource(), raw.weightsSha256(), split, "mean(" + split + ")", "fine-tune prefix, uncentred", raw.seed());
    }

    /** The outputs of one forward pass (centred as the encoder gives them) and its input, for backward. */
    public static final class Pass {
        private final INDArray input;
        private final EncodedBatch features;
        private final ConvSuffix.State state;

        Pass(INDArray input, EncodedBatch features, ConvSuffix.State state) {
            this.input = input;
            this.features = features;
            this.state = state;
        }

        public INDArray input() {
            return input;
        }

        public EncodedBatch features() {
            return features;
        }
    }

    /** Forward through the trainable part: split activations [B, H*W, C] (as the prefix gives them) to features. */
    public Pass forward(INDArray splitGrid) {
        INDArray x = input(splitGrid);
        if (fast != null) {
            ConvSuffix.State st = fast.forward(x, params);
            INDArray nhwc = st.grid();
            long b = nhwc.size(0);
            INDArray grid = nhwc.dup('c').reshape('c', b, nhwc.size(1) * nhwc.size(2), nhwc.size(3));
            return new Pass(x, norm.apply(grid, st.pooled().dup('c')), st);
        }
        sync();
        Map<String, INDArray> out = suffix.sd().output(Map.of(suffix.input(), x), suffix.grid(), suffix.pooled());
        INDArray nhwc = out.get(suffix.grid()); // [B, H, W, C]
        long b = nhwc.size(0);
        INDArray grid = nhwc.dup('c').reshape('c', b, nhwc.size(1) * nhwc.size(2), nhwc.size(3)); // [B, R, C]
        INDArray pooled = out.get(suffix.pooled()).dup('c'); // [B, F]
        return new Pass(x, norm.apply(grid, pooled), null);
    }

    /**
     * Adds d(loss)/d(parameters) to {@code params().flatGrad()}, given the loss gradients of the
     * features {@link #forward} returned: dPooled [B, F], dGrid [B, R, C] (either may be null = zero).
     */
    public void backward(Pass pass, INDArray dPooled, INDArray dGrid) {
        sync();
        int[] g = gridShape();
        long b = pass.input().size(0);
        DataType type = params.dataType();
        // Centring is (x - mean) * scale: the gradient reaching the raw outputs is scale times the given one.
        INDArray dg = dGrid == null ? org.nd4j.linalg.factory.Nd4j.zeros(type, b, g[0], g[1], g[2])
                : dGrid.castTo(type).mul(norm.scale()).reshape('c', b, g[0], g[1], g[2]);
        INDArray dp = dPooled == null ? org.nd4j.linalg.factory.Nd4j.zeros(type, b, info.pooledDim())
                : dPooled.castTo(type).mul(norm.scale());
        if (fast != null) {
            fast.backward(pass.state, dg, dp, params);
            return;
        }
        Map<String, INDArray> ph = new HashMap<>();
        ph.put(suffix.input(), pass.input());
        ph.put(gradGrid, dg);
        ph.put(gradPooled, dp);
        Map<String, INDArray> grads = suffix.sd().calculateGradients(ph, paramOfVariable.keySet());
        for (String name : paramOfVariable.keySet()) {
            INDArray gr = params.grad(name);
            gr.addi(grads.get(name).castTo(type).reshape('c', gr.shape()));
        }
    }

    /** The tuned parameters with the identity of the base weights, for the model file. */
    public TunedWeights tunedWeights() {
        Map<String, float[]> values = new LinkedHashMap<>();
        if (start != null) {
            values.putAll(start.values());
        }
        for (Map.Entry<String, String> e : paramOfVariable.entrySet()) {
            values.put(e.getValue(), params.get(e.getKey()).castTo(DataType.FLOAT).dup('c').data().asFloat());
        }
        return new TunedWeights(start == null ? mode.toString() : start.mode() + "+" + mode, blocks.split(), baseSha256, values);
    }

    /** Continues from tuned parameters saved earlier (a checkpoint) for the same base weights and split. */
    public void restore(TunedWeights saved) {
        java.util.Set<String> keys = new java.util.TreeSet<>(paramOfVariable.values());
        if (start != null) {
            keys.addAll(start.values().keySet());
        }
        if (!baseSha256.equals(saved.baseSha256()) || !saved.values().keySet().equals(keys)) {
            throw new GlimpseException("the checkpoint's tuned encoder (" + saved.mode() + " after " + saved.split()
                    + ") is not this encoder's trainable part (" + mode + " after " + blocks.split() + ")");
        }
        for (Map.Entry<String, String> e : paramOfVariable.entrySet()) {
            float[] v = saved.values().get(e.getValue());
            INDArray p = params.get(e.getKey());
            if (v.length != p.length()) {
                throw new GlimpseException("tuned encoder parameter " + e.getValue() + ": " + v.length + " values, expected " + p.length());
            }
            p.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(v).castTo(p.dataType()).reshape('c', p.shape()));
        }
        params.changed();
    }

    private INDArray input(INDArray splitGrid) {
        int[] hwc = splitShape();
        if (splitGrid.rank() != 3 || splitGrid.size(1) != (long) hwc[0] * hwc[1] || splitGrid.size(2) != hwc[2]) {
            throw new IllegalArgumentException("split activations must be [B, " + hwc[0] * hwc[1] + ", " + hwc[2] + "], got "
                    + java.util.Arrays.toString(splitGrid.shape()));
        }
        INDArray x = splitGrid.castTo(params.dataType());
        // Read, never written: a contiguous array is used as it is (split caches hand out fresh arrays).
        if (x == splitGrid && (x.isView() || x.ordering() != 'c')) {
            x = x.dup('c');
        }
        return x.reshape('c', splitGrid.size(0), hwc[0], hwc[1], hwc[2]);
    }

    private int[] gridShape() {
        return new int[] {loaded.layers().rows(), loaded.layers().cols(), loaded.layers().gridDim()};
    }

    /** Copies the parameters into the SameDiff variables when they changed (Adam, checkpoint restore, gradient checks). */
    private void sync() {
        if (suffix == null || synced == params.version()) {
            return;
        }
        for (String name : paramOfVariable.keySet()) {
            INDArray v = suffix.sd().getArrForVarName(name);
            v.assign(params.get(name).reshape('c', v.shape()));
        }
        synced = params.version();
    }

    @Override
    public void close() {
        loaded.graph().clear();
    }

    /** The "prefix" of a network trained from the image: the preprocessed pixels themselves. */
    private static final class PixelEncoder implements ImageEncoder {
        private final EncoderInfo info;

        PixelEncoder(EncoderInfo info) {
            this.info = info;
        }

        @Override
        public EncoderInfo info() {
            return info;
        }

        @Override
        public EncodedBatch encode(List<BufferedImage> images) {
            if (images.isEmpty()) {
                throw new IllegalArgumentException("no images to encode");
            }
            INDArray x = Preprocessor.toNhwc(images, info.preprocess()); // [B, S, S, 3]
            long b = x.size(0);
            INDArray grid = x.dup('c').reshape('c', b, x.size(1) * x.size(2), x.size(3)); // [B, S*S, 3]
            return new EncodedBatch(grid.mean(1), grid);
        }

        @Override
        public void close() {}
    }
}

package dev.glimpse.common.encoder;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.PreprocessSpec;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.ZooModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens image encoders by name: {@code resnet50} (default), {@code vgg16}, {@code squeezenet} (small, fast). */
public final class Encoders {
    public static final String DEFAULT = "resnet50";
    public static final List<String> NAMES = List.of("resnet50", "vgg16", "squeezenet");
    /** System property: true = skip the SameDiff fast path. */
    public static final String GRAPH_ONLY_PROPERTY = "glimpse.encoder.graphOnly";
    /** System property: true = skip the direct oneDNN path (use SameDiff or the graph). */
    public static final String NO_DNNL_PROPERTY = "glimpse.encoder.noDnnl";
    static final double MAX_FAST_PATH_ERROR = 1e-3;
    private static final Logger LOG = LoggerFactory.getLogger(Encoders.class);

    private Encoders() {}

    /** Opens the encoder with the network's own preprocessing. */
    public static ImageEncoder open(EncoderRequest request) {
        return open(request, null);
    }

    /**
     * Opens the encoder; {@code preprocess} (from a model file or cache) replaces the network's
     * default preprocessing when given, so inference feeds the network exactly what training did.
     */
    public static ImageEncoder open(EncoderRequest request, PreprocessSpec preprocess) {
        return open(request, preprocess, null);
    }

    /**
     * As {@link #open(EncoderRequest, PreprocessSpec)}, with the parameters of a fine-tuned part of the
     * network ({@code tuned}, may be null) put in place of the base weights they were trained from.
     * Random-init centring is measured on the base weights, as it was when the tuning started, so
     * the features are the ones the model was trained on.
     */
    public static ImageEncoder open(EncoderRequest request, PreprocessSpec preprocess, TunedWeights tuned) {
        Loaded loaded = load(request, preprocess);
        EncoderPath raw = rawPath(loaded);
        RandomInitCentering norm = request.randomInit() ? RandomInitCentering.calibrate(raw) : RandomInitCentering.NONE;
        if (tuned != null) {
            if (!(raw instanceof GraphEncoder)) {
                raw.close(); // a rebuild holds copies of the base weights
            }
            tuned.applyTo(loaded.graph());
            raw = rawPath(loaded);
        }
        return raw.withNorm(loaded.raw().withFeatureNorm(norm.description()), norm);
    }

    /** A network loaded as DL4J's graph, where its features are, and its info before any centring. */
    record Loaded(ComputationGraph graph, ZooNetwork net, FeatureLayers layers, EncoderInfo raw) {}

    static Loaded load(EncoderRequest request, PreprocessSpec preprocess) {
        ZooNetwork net = ZooNetwork.byName(request.name());
        int size = preprocess != null ? preprocess.inputSize()
                : request.inputSize() > 0 ? request.inputSize() : net.defaultSize;
        ComputationGraph graph;
        String source;
        String sha256;
        if (request.randomInit()) {
            graph = net.randomInit(request.seed(), size);
            source = "random-init seed=" + request.seed();
            sha256 = null;
        } else if (request.weightsFile() != null) {
            Path file = request.weightsFile();
            graph = LocalWeights.load(file);
            source = file.getFileName().toString();
            sha256 = LocalWeights.sha256(file);
        } else {
            ZooModel<?> zoo = net.zoo(request.seed(), size);
            graph = PretrainedWeights.load(net.id, zoo, request.allowDownload());
            Path file = PretrainedWeights.cachedFile(zoo);
            source = EncoderInfo.ZOO_PREFIX + file.getFileName();
            sha256 = LocalWeights.sha256(file);
        }
        FeatureLayers layers = layersOf(graph, net, size, request);
        EncoderInfo raw = new EncoderInfo(net.id, layers.pooledDim(), layers.rows(), layers.cols(), layers.gridDim(),
                preprocess != null ? preprocess : net.input(size), request.randomInit(), source, sha256, layers.grid(),
                layers.pooled() == null ? "mean(" + layers.grid() + ")" : layers.pooled(),
                RandomInitCentering.NONE.description(), request.randomInit() ? request.seed() : null);
        return new Loaded(graph, net, layers, raw);
    }

    /** The fastest checked path over the graph's current weights, without centring. */
    static EncoderPath rawPath(Loaded loaded) {
        GraphEncoder graphEncoder = new GraphEncoder(loaded.graph(), loaded.layers(), loaded.raw(), RandomInitCentering.NONE);
        EncoderPath fast = fastPath(loaded.graph(), loaded.layers(), loaded.raw(), graphEncoder);
        return fast != null ? fast : graphEncoder;
    }

    /** Random-init centring measured through the graph's current weights; NONE for trained weights. */
    static RandomInitCentering centring(Loaded loaded, boolean randomInit) {
        if (!randomInit) {
            return RandomInitCentering.NONE;
        }
        EncoderPath raw = rawPath(loaded);
        try {
            return RandomInitCentering.calibrate(raw);
        } finally {
            if (!(raw instanceof GraphEncoder)) {
                raw.close(); // the graph itself stays: it is what the caller goes on with
            }
        }
    }

    /**
     * The fastest rebuild of the graph that translates every layer the features need and matches
     * the ComputationGraph on two check images: oneDNN primitives directly (ResNet-style networks),
     * else SameDiff; null = use the ComputationGraph. Set {@value #GRAPH_ONLY_PROPERTY}=true to
     * always use the ComputationGraph, {@value #NO_DNNL_PROPERTY}=true to skip the oneDNN path.
     */
    static EncoderPath fastPath(ComputationGraph graph, FeatureLayers layers, EncoderInfo raw, GraphEncoder reference) {
        if (Boolean.getBoolean(GRAPH_ONLY_PROPERTY)) {
            return null;
        }
        List<BufferedImage> check = RandomInitCentering.calibrationImages().subList(0, 2);
        EncodedBatch want = reference.encode(check);
        if (!Boolean.getBoolean(NO_DNNL_PROPERTY)) {
            EncoderPath dnnl = checked("oneDNN", raw, check, want, () -> DnnlEncoder.build(graph, layers, raw));
            if (dnnl != null) {
                return dnnl;
            }
        }
        return checked("SameDiff", raw, check, want, () -> SameDiffEncoder.build(graph, layers, raw));
    }

    private interface Rebuild {
        EncoderPath build() throws RebuildUnsupported;
    }

    private static EncoderPath checked(String what, EncoderInfo raw, List<BufferedImage> check, EncodedBatch want, Rebuild rebuild) {
        EncoderPath fast = null;
        try {
            fast = rebuild.build();
            EncodedBatch got = fast.encode(check);
            double err = Math.max(relativeError(got.grid(), want.grid()), relativeError(got.pooled(), want.pooled()));
            if (!(err < MAX_FAST_PATH_ERROR)) {
                LOG.warn("{}: {} rebuild differs from the ComputationGraph (relative error {}); not used", raw.name(), what, err);
                fast.close();
                return null;
            }
            return fast;
        } catch (RebuildUnsupported | RuntimeException | LinkageError e) {
            // Any layer or op a rebuild cannot reproduce costs speed, never correctness; a missing
            // native library (another backend) likewise.
            LOG.info("{}: {} path not used: {}", raw.name(), what, e.getMessage());
            if (fast != null) {
                fast.close();
            }
            return null;
        }
    }

    /** max |a - b| / max |b|. */
    static double relativeError(INDArray a, INDArray b) {
        double scale = Math.max(b.amaxNumber().doubleValue(), 1e-12);
        return a.sub(b).amaxNumber().doubleValue() / scale;
    }

    private static FeatureLayers layersOf(ComputationGraph graph, ZooNetwork net, int size, EncoderRequest request) {
        String what = request.weightsFile() != null ? request.weightsFile().toString() : net.id;
        FeatureLayers layers;
        try {
            layers = FeatureLayers.find(graph.getConfiguration(), size);
        } catch (IllegalArgumentException e) {
            throw new GlimpseException(what + ": not usable as the " + net.id + " image encoder: " + e.getMessage(), e);
        }
        if (request.weightsFile() != null) {
            // A zip of another architecture loads fine and gives plausible shapes; the number of
            // convolution layers (ResNet50 53, VGG16 13, SqueezeNet 26) tells the families apart.
            int expected = FeatureLayers.convLayers(net.configuration(request.seed(), size));
            if (layers.convLayers() != expected) {
                throw new GlimpseException(what + ": has " + layers.convLayers() + " convolution layers, a "
                        + net.id + " has " + expected + "; wrong --encoder for this weights file?");
            }
        }
        return layers;
    }
}

package dev.glimpse.common.encoder;

import dev.glimpse.common.GlimpseException;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.ZooModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Opens image encoders by name: {@code resnet50} (default), {@code vgg16}, {@code squeezenet} (small, fast). */
public final class Encoders {
    public static final String DEFAULT = "resnet50";
    public static final List<String> NAMES = List.of("resnet50", "vgg16", "squeezenet");

    private Encoders() {}

    public static ImageEncoder open(EncoderRequest request) {
        ZooNetwork net = ZooNetwork.byName(request.name());
        int size = request.inputSize() > 0 ? request.inputSize() : net.defaultSize;
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
            graph = PretrainedWeights.load(net.id, zoo);
            Path file = PretrainedWeights.cachedFile(zoo);
            source = "zoo:" + file.getFileName();
            sha256 = LocalWeights.sha256(file);
        }
        FeatureLayers layers = layersOf(graph, net, size, request);
        EncoderInfo info = new EncoderInfo(net.id, layers.pooledDim(), layers.rows(), layers.cols(), layers.gridDim(),
                net.input(size), request.randomInit(), source, sha256, layers.grid(),
                layers.pooled() == null ? "mean(" + layers.grid() + ")" : layers.pooled(), 1f);
        if (request.randomInit()) {
            info = withScale(info, calibratedScale(new GraphEncoder(graph, layers, info)));
        }
        return new GraphEncoder(graph, layers, info);
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

    /**
     * Random weights give features of arbitrary magnitude (He-initialised ResNet50 reaches ~1e4,
     * past float16's 65504 when cached); features are scaled so that the grid of a fixed
     * calibration image has unit RMS. ReLU networks with zero biases are positively homogeneous,
     * so this is the same as scaling the input and changes no direction in feature space.
     */
    private static float calibratedScale(GraphEncoder unscaled) {
        EncodedBatch batch = unscaled.encode(List.of(calibrationImage()));
        INDArray grid = batch.grid(); // [1, R, C]
        double rms = grid.norm2Number().doubleValue() / Math.sqrt(grid.length());
        if (!(rms > 0) || Double.isInfinite(rms)) {
            throw new IllegalStateException("random-init " + unscaled.info().name()
                    + " gives degenerate features (grid RMS " + rms + ")");
        }
        return (float) (1.0 / rms);
    }

    private static BufferedImage calibrationImage() {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(30, 90, 200), 64, 64, new Color(240, 200, 40)));
        g.fillRect(0, 0, 64, 64);
        g.setColor(new Color(200, 30, 30));
        g.fillOval(8, 8, 24, 24);
        g.dispose();
        return img;
    }

    private static EncoderInfo withScale(EncoderInfo i, float scale) {
        return new EncoderInfo(i.name(), i.pooledDim(), i.gridRows(), i.gridCols(), i.gridDim(), i.preprocess(),
                i.randomInit(), i.weightsSource(), i.weightsSha256(), i.gridLayer(), i.pooledLayer(), scale);
    }
}

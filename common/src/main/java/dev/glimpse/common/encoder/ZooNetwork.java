package dev.glimpse.common.encoder;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.PreprocessSpec;
import java.util.Arrays;
import java.util.Locale;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.weights.WeightInitRelu;
import org.deeplearning4j.zoo.ZooModel;
import org.deeplearning4j.zoo.model.ResNet50;
import org.deeplearning4j.zoo.model.SqueezeNet;
import org.nd4j.linalg.activations.impl.ActivationIdentity;

/**
 * The DL4J zoo networks Glimpse can encode with. Pretrained weights for all three are Keras
 * conversions trained with Caffe-style input (BGR, 0..255, ImageNet mean subtracted), which is
 * also what DL4J's own {@code VGG16ImagePreProcessor} applies after its BGR image loader.
 */
enum ZooNetwork {
    RESNET50("resnet50", 224),
    VGG16("vgg16", 224),
    SQUEEZENET("squeezenet", 227);

    final String id;
    final int defaultSize;

    ZooNetwork(String id, int defaultSize) {
        this.id = id;
        this.defaultSize = defaultSize;
    }

    static ZooNetwork byName(String name) {
        for (ZooNetwork n : values()) {
            if (n.id.equals(name.toLowerCase(Locale.ROOT))) {
                return n;
            }
        }
        throw new GlimpseException("unknown encoder \"" + name + "\"; choose one of "
                + Arrays.stream(values()).map(n -> n.id).toList());
    }

    /** Caffe mode at the given size; squashed to the square as DL4J's image loader and Keras's load_img do. */
    PreprocessSpec input(int size) {
        return new PreprocessSpec(size, PreprocessSpec.ResizeMode.SQUASH, new float[] {103.939f, 116.779f, 123.68f},
                new float[] {1f, 1f, 1f}, PreprocessSpec.ChannelOrder.BGR, PreprocessSpec.ValueScale.BYTE);
    }

    /** The zoo entry: pretrained URL, checksum and cache folder. */
    ZooModel<?> zoo(long seed, int size) {
        int[] shape = {3, size, size};
        return switch (this) {
            case RESNET50 -> ResNet50.builder().numClasses(1000).seed(seed).inputShape(shape)
                    .weightInit(new WeightInitRelu()).build();
            case VGG16 -> org.deeplearning4j.zoo.model.VGG16.builder().numClasses(1000).seed(seed).inputShape(shape).build();
            case SQUEEZENET -> SqueezeNet.builder().numClasses(1000).seed(seed).inputShape(shape)
                    .weightInit(WeightInit.RELU).build();
        };
    }

    /**
     * The network with seeded random weights. ResNet50 is the standard architecture of
     * {@link ResNet50Config} (the zoo's random-init configuration is a cheaper variant with a 4x4
     * grid at 224 px), He-initialised. VGG16 and SqueezeNet are the zoo's configurations, with one
     * fix so random features are not degenerate (measured at 227 px): SqueezeNet's convolutions
     * inherit DL4J's default sigmoid activation (the zoo sets none) ahead of their explicit ReLU
     * layers, so they are set to identity as in the paper and the Keras model the weights come from.
     */
    ComputationGraph randomInit(long seed, int size) {
        ComputationGraphConfiguration conf = configuration(seed, size);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** The random-init configuration (no parameters allocated). */
    ComputationGraphConfiguration configuration(long seed, int size) {
        return switch (this) {
            case RESNET50 -> ResNet50Config.build(seed, size);
            case VGG16 -> ((org.deeplearning4j.zoo.model.VGG16) zoo(seed, size)).conf();
            case SQUEEZENET -> {
                ComputationGraphConfiguration conf = ((SqueezeNet) zoo(seed, size)).graphBuilder()
                        .addInputs("input").setInputTypes(InputType.convolutional(size, size, 3)).build();
                conf.getVertices().values().forEach(v -> {
                    if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof ConvolutionLayer c) {
                        c.setActivationFn(new ActivationIdentity());
                    }
                });
                yield conf;
            }
        };
    }
}

package dev.glimpse.common.encoder;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.weights.WeightInitRelu;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The standard ResNet-50 (He et al. 2016, with the stride on the 3x3 convolution as torchvision
 * and most later work): 7x7/2 stem, 3x3/2 max pool, bottleneck stages of 3, 4, 6, 3 blocks with
 * widths 256..2048, global average pool, 1000-way classifier. At 224 px its last block is
 * 7x7x2048, the grid the pretrained (Keras-converted) zoo weights give and the one the CASES.md FE
 * benchmark times (8.17 GFLOP per image).
 *
 * <p>Why not the zoo's builder: its random-init configuration is a different, cheaper network
 * (a 4x4 grid at 224 px and a 3x3 max "avgpool"; ../shared/notes/dl4j-m2.1.md), so untrained
 * features had another shape than the pretrained ones and timings were not ResNet-50's. The
 * pretrained zip still loads with its own configuration.
 */
final class ResNet50Config {
    private static final int[] BLOCKS = {3, 4, 6, 3};
    private static final int[] WIDTHS = {64, 128, 256, 512}; // bottleneck width; output is 4x

    private ResNet50Config() {}

    static ComputationGraphConfiguration build(long seed, int size) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .weightInit(new WeightInitRelu()) // He: keeps activations finite through 16 blocks
                .activation(Activation.IDENTITY)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(size, size, 3));
        String x = convBn(g, "conv1", "input", 3, 64, 7, 2, 3, true);
        g.addLayer("pool1", new SubsamplingLayer.Builder(PoolingType.MAX)
                .kernelSize(3, 3).stride(2, 2).padding(1, 1).build(), x);
        x = "pool1";
        int in = 64;
        for (int stage = 0; stage < BLOCKS.length; stage++) {
            for (int block = 0; block < BLOCKS[stage]; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                x = bottleneck(g, "res" + (stage + 2) + (char) ('a' + block), x, in, WIDTHS[stage], stride);
                in = 4 * WIDTHS[stage];
            }
        }
        g.addLayer("avgpool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x);
        g.addLayer("fc1000", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nIn(in).nOut(1000).activation(Activation.SOFTMAX).build(), "avgpool");
        g.setOutputs("fc1000");
        return g.build();
    }

    /** 1x1 reduce, 3x3 (strided), 1x1 expand; projection shortcut when the shape changes. */
    private static String bottleneck(ComputationGraphConfiguration.GraphBuilder g, String name, String x,
            int in, int width, int stride) {
        String a = convBn(g, name + "_branch2a", x, in, width, 1, 1, 0, true);
        String b = convBn(g, name + "_branch2b", a, width, width, 3, stride, 1, true);
        String c = convBn(g, name + "_branch2c", b, width, 4 * width, 1, 1, 0, false);
        String shortcut = x;
        if (stride != 1 || in != 4 * width) {
            shortcut = convBn(g, name + "_branch1", x, in, 4 * width, 1, stride, 0, false);
        }
        g.addVertex(name + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), c, shortcut);
        g.addLayer(name + "_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), name + "_add");
        return name + "_relu";
    }

    private static String convBn(ComputationGraphConfiguration.GraphBuilder g, String name, String x,
            int in, int out, int kernel, int stride, int pad, boolean relu) {
        g.addLayer(name, new ConvolutionLayer.Builder(kernel, kernel).stride(stride, stride).padding(pad, pad)
                .nIn(in).nOut(out).hasBias(false).build(), x);
        g.addLayer(name + "_bn", new BatchNormalization.Builder().nOut(out).build(), name);
        if (!relu) {
            return name + "_bn";
        }
        g.addLayer(name + "_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), name + "_bn");
        return name + "_relu";
    }
}

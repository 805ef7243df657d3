package dev.glimpse.common.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.nn.GradientCheck;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The trainable encoder suffix: gradients against double-precision finite differences and against
 * DL4J's own ComputationGraph backpropagation with the same weights; the cut (prefix then suffix)
 * against the whole network; blocks and split points of the zoo networks.
 */
class TunableEncoderTest {
    private static final int SIZE = 12;

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    /**
     * A small network with what the zoo networks use: conv + batch norm + ReLU, max pool, a fire
     * module (squeeze, two expands, merge) and a residual add.
     */
    private static ComputationGraph smallNet(boolean batchNorm, DataType type) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .weightInit(WeightInit.XAVIER).trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(SIZE, SIZE, 3));
        g.addLayer("c1", new ConvolutionLayer.Builder(3, 3).nOut(8).convolutionMode(ConvolutionMode.Same)
                .activation(Activation.IDENTITY).build(), "in");
        String afterConv = "c1";
        if (batchNorm) {
            g.addLayer("bn1", new BatchNormalization.Builder().activation(Activation.IDENTITY).build(), "c1");
            afterConv = "bn1";
        }
        g.addLayer("r1", new ActivationLayer.Builder().activation(Activation.RELU).build(), afterConv)
                .addLayer("p1", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "r1")
                .addLayer("sq", new ConvolutionLayer.Builder(1, 1).nOut(4).activation(Activation.RELU).build(), "p1")
                .addLayer("e1", new ConvolutionLayer.Builder(1, 1).nOut(8).activation(Activation.RELU).build(), "sq")
                .addLayer("e3", new ConvolutionLayer.Builder(3, 3).nOut(8).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build(), "sq")
                .addVertex("m", new MergeVertex(), "e1", "e3")
                .addLayer("c2", new ConvolutionLayer.Builder(1, 1).nOut(16).activation(Activation.IDENTITY).build(), "m")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "c2", "m")
                .addLayer("r2", new ActivationLayer.Builder().activation(Activation.RELU).build(), "add")
                .setOutputs("r2");
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        if (batchNorm) {
            Map<String, INDArray> bn = graph.getVertex("bn1").paramTable(false);
            bn.get("mean").assign(Nd4j.rand(type, bn.get("mean").shape()).subi(0.5));
            INDArray spread = bn.containsKey("var") ? bn.get("var") : bn.get("log10stdev");
            spread.assign(Nd4j.rand(type, spread.shape()).subi(0.5).muli(0.4)); // log10 std in [-0.2, 0.2], or var
            if (bn.containsKey("var")) {
                spread.addi(1.0);
            }
            bn.get("gamma").assign(Nd4j.rand(type, bn.get("gamma").shape()).addi(0.5));
            bn.get("beta").assign(Nd4j.rand(type, bn.get("beta").shape()).subi(0.5));
        }
        // Non-zero biases, so their gradients are exercised too.
        for (String v : List.of("c1", "sq", "e1", "e3", "c2")) {
            INDArray b = graph.getVertex(v).paramTable(false).get("b");
            b.assign(Nd4j.rand(type, b.shape()).subi(0.5).muli(0.2));
        }
        return graph;
    }

    private static Encoders.Loaded loaded(ComputationGraph graph) {
        FeatureLayers layers = new FeatureLayers("r2", null, SIZE / 2, SIZE / 2, 16, 16, 6);
        EncoderInfo info = new EncoderInfo("small", 16, SIZE / 2, SIZE / 2, 16, ZooNetwork.SQUEEZENET.input(SIZE), true,
                "random-init seed=7", null, "r2", "mean(r2)", "none");
        return new Encoders.Loaded(graph, null, layers, info);
    }

    @Test
    void gradientsMatchFiniteDifferencesInDoublePrecision() {
        for (String mode : List.of("all", "last")) {
            ComputationGraph graph = smallNet(true, DataType.DOUBLE);
            TunableEncoder enc = TunableEncoder.of(loaded(graph), FineTune.parse(mode), RandomInitCentering.NONE, DataType.DOUBLE);
            int[] hwc = enc.splitShape();
            INDArray x = Nd4j.rand(DataType.DOUBLE, 3, (long) hwc[0] * hwc[1], hwc[2]).subi(0.3);
            INDArray rGrid = Nd4j.randn(DataType.DOUBLE, 3, (SIZE / 2) * (SIZE / 2), 16);
            INDArray rPooled = Nd4j.randn(DataType.DOUBLE, 3, 16);
            java.util.function.DoubleSupplier loss = () -> {
                EncodedBatch f = enc.forward(x).features();
                return f.grid().mul(rGrid).sumNumber().doubleValue() + f.pooled().mul(rPooled).sumNumber().doubleValue();
            };
            java.util.function.DoubleSupplier lossAndGrad = () -> {
                TunableEncoder.Pass p = enc.forward(x);
                enc.backward(p, rPooled, rGrid);
                EncodedBatch f = p.features();
                return f.grid().mul(rGrid).sumNumber().doubleValue() + f.pooled().mul(rPooled).sumNumber().doubleValue();
            };
            GradientCheck.Result r = GradientCheck.check(enc.params(), lossAndGrad, loss, 12, 1e-6, 1e-7, 3);
            System.out.println("fine-tune " + mode + " gradient check: " + r);
            assertTrue(r.max() < 1e-4, mode + ": " + r);
            if (mode.equals("all")) {
                assertTrue(enc.params().contains("bn1_gamma") && enc.params().contains("c1_W"), "BN scale/shift and conv train");
            } else {
                assertEquals("m", enc.split(), "last block = the residual stretch after the fire module's merge");
            }
        }
    }

    /** Our kernels (direct ND4J ops) against the SameDiff rebuild of the same suffix: features and every gradient. */
    @Test
    void ownKernelsEqualTheSameDiffRebuild() {
        for (String mode : List.of("all", "last", "last2")) {
            ComputationGraph graph = smallNet(true, DataType.DOUBLE);
            TunableEncoder ours = TunableEncoder.of(loaded(graph), FineTune.parse(mode), RandomInitCentering.NONE, DataType.DOUBLE, true);
            TunableEncoder ref = TunableEncoder.of(loaded(graph), FineTune.parse(mode), RandomInitCentering.NONE, DataType.DOUBLE, false);
            assertTrue(ours.ownKernels() && !ref.ownKernels(), mode + ": one of each");
            assertEquals(ref.params().flat().length(), ours.params().flat().length(), mode + ": same parameters");
            int[] hwc = ours.splitShape();
            // Batch sizes change from step to step (distinct images per caption batch); buffers are reused across them.
            for (int batch : new int[] {3, 2, 4, 3}) {
                INDArray x = Nd4j.rand(DataType.DOUBLE, batch, (long) hwc[0] * hwc[1], hwc[2]).subi(0.3);
                INDArray dGrid = Nd4j.randn(DataType.DOUBLE, batch, (SIZE / 2) * (SIZE / 2), 16);
                INDArray dPooled = Nd4j.randn(DataType.DOUBLE, batch, 16);
                ours.params().zeroGrad();
                ref.params().zeroGrad();
                TunableEncoder.Pass a = ours.forward(x);
                TunableEncoder.Pass b = ref.forward(x);
                assertTrue(Encoders.relativeError(a.features().grid(), b.features().grid()) < 1e-12, mode + ": grid");
                assertTrue(Encoders.relativeError(a.features().pooled(), b.features().pooled()) < 1e-12, mode + ": pooled");
                ours.backward(a, dPooled, dGrid);
                ref.backward(b, dPooled, dGrid);
                for (String name : ref.params().layout().keySet()) {
                    double err = Encoders.relativeError(ours.params().grad(name), ref.params().grad(name));
                    assertTrue(err < 1e-10, mode + " batch " + batch + " " + name + ": relative error " + err);
                }
            }
            assertTrue(ours.params().flatGrad().norm2Number().doubleValue() > 0, mode + ": gradients are not all zero");
        }
    }

    @Test
    void gradientsMatchDl4jBackpropagationWithTheSameWeights() {
        ComputationGraph graph = smallNet(false, DataType.DOUBLE);
        TunableEncoder enc = TunableEncoder.of(loaded(graph), FineTune.ALL, RandomInitCentering.NONE, DataType.DOUBLE);
        INDArray nchw = Nd4j.rand(DataType.DOUBLE, 2, 3, SIZE, SIZE).subi(0.5);
        INDArray nhwcRows = nchw.permute(0, 2, 3, 1).dup('c').reshape(2, SIZE * SIZE, 3);
        INDArray dGrid = Nd4j.randn(DataType.DOUBLE, 2, (SIZE / 2) * (SIZE / 2), 16); // [B, R, C]

        TunableEncoder.Pass pass = enc.forward(nhwcRows);
        enc.params().zeroGrad();
        enc.backward(pass, null, dGrid);

        INDArray want = graph.feedForward(new INDArray[] {nchw}, true, false).get("r2"); // [B, C, H, W]
        INDArray wantRows = want.permute(0, 2, 3, 1).dup('c').reshape(2, (SIZE / 2) * (SIZE / 2), 16);
        assertTrue(Encoders.relativeError(pass.features().grid(), wantRows) < 1e-10, "forward equals DL4J's");
        INDArray eps = dGrid.reshape(2, SIZE / 2, SIZE / 2, 16).permute(0, 3, 1, 2).dup('c'); // NCHW
        Gradient g = graph.backpropGradient(eps);
        int compared = 0;
        for (Map.Entry<String, INDArray> e : g.gradientForVariable().entrySet()) {
            String key = e.getKey(); // vertex_param
            String name = key.substring(0, key.lastIndexOf('_')) + "_" + key.substring(key.lastIndexOf('_') + 1);
            INDArray ours = enc.params().grad(name);
            INDArray theirs = e.getValue().dup('c').reshape(ours.shape());
            double err = Encoders.relativeError(ours, theirs);
            assertTrue(err < 1e-9, key + ": relative error " + err);
            compared++;
        }
        assertEquals(10, compared, "W and b of five convolutions");
    }

    /**
     * ResNet-50's last stages on our kernels (batch norm folded into the convolutions, 1x1 convolutions
     * as GEMMs, strided ones on the subsampled input) against the SameDiff rebuild, in double precision,
     * with batch-norm statistics and affine parameters away from their trivial initial values. last4
     * starts inside layer3, so layer4's strided 1x1 shortcut also passes a gradient back.
     */
    @Test
    void ownKernelsEqualTheSameDiffRebuildOnResNet50() {
        Encoders.Loaded loaded = Encoders.load(EncoderRequest.randomInit("resnet50", 3).withInputSize(64), null);
        Nd4j.getRandom().setSeed(11);
        for (var v : loaded.graph().getVertices()) {
            Map<String, INDArray> t = v.paramTable(false);
            if (t != null && t.containsKey("mean")) {
                t.get("mean").assign(Nd4j.rand(t.get("mean").dataType(), t.get("mean").shape()).subi(0.5));
                INDArray spread = t.containsKey("var") ? t.get("var") : t.get("log10stdev");
                spread.assign(Nd4j.rand(spread.dataType(), spread.shape()).subi(0.5).muli(0.4)); // log10 std in [-0.2, 0.2], or var
                if (t.containsKey("var")) {
                    spread.addi(1.0);
                }
                t.get("gamma").assign(Nd4j.rand(t.get("gamma").dataType(), t.get("gamma").shape()).addi(0.5));
                t.get("beta").assign(Nd4j.rand(t.get("beta").dataType(), t.get("beta").shape()).subi(0.5));
            }
        }
        for (String mode : List.of("last3", "last4")) {
            TunableEncoder ours = TunableEncoder.of(loaded, FineTune.parse(mode), RandomInitCentering.NONE, DataType.DOUBLE, true);
            TunableEncoder ref = TunableEncoder.of(loaded, FineTune.parse(mode), RandomInitCentering.NONE, DataType.DOUBLE, false);
            assertTrue(ours.ownKernels() && !ref.ownKernels(), mode + ": one of each");
            int[] hwc = ours.splitShape();
            for (int batch : new int[] {2, 1, 3}) { // buffers lend rows to smaller batches
                ours.params().zeroGrad();
                ref.params().zeroGrad();
                INDArray x = Nd4j.rand(DataType.DOUBLE, batch, (long) hwc[0] * hwc[1], hwc[2]);
                TunableEncoder.Pass a = ours.forward(x);
                TunableEncoder.Pass b = ref.forward(x);
                assertTrue(Encoders.relativeError(a.features().grid(), b.features().grid()) < 1e-12, mode + ": grid");
                assertTrue(Encoders.relativeError(a.features().pooled(), b.features().pooled()) < 1e-12, mode + ": pooled");
                long[] g = a.features().grid().shape();
                INDArray dGrid = Nd4j.randn(DataType.DOUBLE, g);
                INDArray dPooled = Nd4j.randn(DataType.DOUBLE, g[0], g[2]);
                ours.backward(a, dPooled, dGrid);
                ref.backward(b, dPooled, dGrid);
                int compared = 0;
                for (String name : ref.params().layout().keySet()) {
                    double err = Encoders.relativeError(ours.params().grad(name), ref.params().grad(name));
                    assertTrue(err < 1e-10, mode + " batch " + batch + " " + name + ": relative error " + err);
                    compared++;
                }
                assertEquals(mode.equals("last3") ? 30 : 39, compared, mode + ": W, gamma and beta of each convolution");
                assertTrue(ours.params().flatGrad().norm2Number().doubleValue() > 0, mode + ": gradients are not all zero");
            }
        }
        loaded.graph().clear();
    }

    /** Prefix (cached part) then suffix gives the whole network's features, on zoo networks. */
    @Test
    void prefixThenSuffixEqualsTheWholeEncoder() {
        List<BufferedImage> images = RandomInitCentering.calibrationImages().subList(0, 2);
        for (String[] c : new String[][] {{"squeezenet", "last2", "64"}, {"resnet50", "last", "64"}, {"squeezenet", "all", "48"}}) {
            EncoderRequest req = EncoderRequest.randomInit(c[0], 3).withInputSize(Integer.parseInt(c[2]));
            EncodedBatch want;
            try (ImageEncoder whole = Encoders.open(req)) {
                want = whole.encode(images);
            }
            try (TunableEncoder enc = TunableEncoder.open(req, null, FineTune.parse(c[1]))) {
                assertEquals(want.grid().size(2), enc.info().gridDim());
                EncodedBatch got;
                try (ImageEncoder prefix = enc.prefix()) {
                    got = enc.forward(prefix.encode(images).grid()).features();
                }
                double err = Math.max(Encoders.relativeError(got.grid(), want.grid()), Encoders.relativeError(got.pooled(), want.pooled()));
                assertTrue(err < 1e-3, c[0] + " " + c[1] + ": relative error " + err);
                if (c[1].equals("all")) {
                    assertNull(enc.split());
                } else {
                    assertTrue(enc.split() != null && enc.blocks() > 2, c[0] + ": split " + enc.split() + " of " + enc.blocks());
                }
            }
        }
    }

    @Test
    void tunedWeightsLoadOnlyOnTheirBaseWeights() {
        EncoderRequest req = EncoderRequest.randomInit("squeezenet", 3).withInputSize(48);
        List<BufferedImage> images = RandomInitCentering.calibrationImages().subList(0, 2);
        TunedWeights tuned;
        EncodedBatch tunedFeatures;
        try (TunableEncoder enc = TunableEncoder.open(req, null, FineTune.parse("last"))) {
            enc.params().flat().addi(Nd4j.randn(DataType.FLOAT, enc.params().flat().shape()).muli(0.05));
            enc.params().changed();
            try (ImageEncoder prefix = enc.prefix()) {
                tunedFeatures = enc.forward(prefix.encode(images).grid()).features();
            }
            tuned = enc.tunedWeights();
        }
        try (ImageEncoder opened = Encoders.open(req, null, tuned)) {
            EncodedBatch got = opened.encode(images);
            assertTrue(Encoders.relativeError(got.grid(), tunedFeatures.grid()) < 1e-3, "inference uses the tuned weights");
        }
        EncoderRequest other = EncoderRequest.randomInit("squeezenet", 4).withInputSize(48);
        GlimpseException e = assertThrows(GlimpseException.class, () -> Encoders.open(other, null, tuned).close());
        assertTrue(e.getMessage().contains("other base weights"), e.getMessage());
    }

    /** Tuning on from another model's tuned encoder: the saved weights hold both parts and open on the base weights. */
    @Test
    void tuningContinuesFromAnotherModelsTunedEncoder() {
        EncoderRequest req = EncoderRequest.randomInit("squeezenet", 3).withInputSize(48);
        List<BufferedImage> images = RandomInitCentering.calibrationImages().subList(0, 2);
        TunedWeights first;
        try (TunableEncoder enc = TunableEncoder.open(req, null, FineTune.parse("last3"))) {
            enc.params().flat().addi(Nd4j.randn(DataType.FLOAT, enc.params().flat().shape()).muli(0.05));
            enc.params().changed();
            first = enc.tunedWeights();
        }
        TunedWeights both;
        EncodedBatch want;
        try (TunableEncoder enc = TunableEncoder.open(req, null, FineTune.parse("last"), first)) {
            TunedWeights untouched = enc.tunedWeights();
            assertTrue(untouched.values().keySet().containsAll(first.values().keySet()), "the first run's parameters stay");
            for (String k : first.values().keySet()) {
                assertArrayEquals(first.values().get(k), untouched.values().get(k), 0f, "starts from the first run's " + k);
            }
            enc.params().flat().addi(Nd4j.randn(DataType.FLOAT, enc.params().flat().shape()).muli(0.05));
            enc.params().changed();
            try (ImageEncoder prefix = enc.prefix()) {
                want = enc.forward(prefix.encode(images).grid()).features();
            }
            both = enc.tunedWeights();
            assertTrue(both.mode().startsWith("last3+"), both.mode());
            enc.restore(both); // a checkpoint of the second run restores into a second-run encoder
        }
        try (ImageEncoder opened = Encoders.open(req, null, both)) {
            EncodedBatch got = opened.encode(images);
            assertTrue(Encoders.relativeError(got.grid(), want.grid()) < 1e-3, "inference opens both runs' tuning on the base");
        }
        try (ImageEncoder onlyFirst = Encoders.open(req, null, first)) {
            assertTrue(Encoders.relativeError(onlyFirst.encode(images).grid(), want.grid()) > 1e-3, "the second run changed something");
        }
    }

    @Test
    void fineTuneModesParse() {
        assertEquals(FineTune.NONE, FineTune.parse("none"));
        assertEquals(new FineTune(1), FineTune.parse("last"));
        assertEquals(new FineTune(3), FineTune.parse("last3"));
        assertEquals(FineTune.ALL, FineTune.parse("ALL"));
        assertThrows(GlimpseException.class, () -> FineTune.parse("last0"));
        assertThrows(GlimpseException.class, () -> FineTune.parse("some"));
        assertArrayEquals(new int[] {1}, new int[] {FineTune.parse("last").blocks()});
    }
}

package dev.glimpse.common.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import java.awt.image.BufferedImage;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SameDiff and oneDNN rebuilds against DL4J's own ComputationGraph on the same weights and images. */
class EncoderFastPathTest {
    @BeforeAll
    static void backend() {
        Backend.init();
    }

    private interface Rebuild {
        ImageEncoder build(ComputationGraph graph, FeatureLayers layers, EncoderInfo info) throws Exception;
    }

    private static void assertSameFeatures(ZooNetwork net, int size) throws Exception {
        assertSameFeatures(net, size, SameDiffEncoder::build, 3);
    }

    private static void assertSameFeatures(ZooNetwork net, int size, Rebuild rebuild, int batch) throws Exception {
        ComputationGraph graph = net.randomInit(5, size);
        FeatureLayers layers = FeatureLayers.find(graph.getConfiguration(), size);
        EncoderInfo info = new EncoderInfo(net.id, layers.pooledDim(), layers.rows(), layers.cols(), layers.gridDim(),
                net.input(size), true, "random-init seed=5", null, layers.grid(), "mean", "none");
        GraphEncoder reference = new GraphEncoder(graph, layers, info, RandomInitCentering.NONE);
        ImageEncoder fast = rebuild.build(graph, layers, info);
        List<BufferedImage> images = RandomInitCentering.calibrationImages().subList(3, 3 + batch);
        EncodedBatch want = reference.encode(images);
        EncodedBatch got = fast.encode(images);
        assertArrayEquals(want.grid().shape(), got.grid().shape());
        assertArrayEquals(want.pooled().shape(), got.pooled().shape());
        double err = Math.max(Encoders.relativeError(got.grid(), want.grid()),
                Encoders.relativeError(got.pooled(), want.pooled()));
        assertTrue(err < Encoders.MAX_FAST_PATH_ERROR, net.id + ": relative error " + err);
    }

    @Test
    void squeezeNetMatchesTheComputationGraph() throws Exception {
        assertSameFeatures(ZooNetwork.SQUEEZENET, 64); // merges, same-mode and truncated convolutions, max pools
    }

    @Test
    void vgg16MatchesTheComputationGraph() throws Exception {
        assertSameFeatures(ZooNetwork.VGG16, 32); // dense fc2 as the pooled vector after DL4J's NCHW flatten
    }

    @Test
    void resNet50MatchesTheComputationGraph() throws Exception {
        assertSameFeatures(ZooNetwork.RESNET50, 96); // padded stem and pool, batch norm folded into convolutions, residual adds
    }

    /** Blocked layout, fused bias/sum/ReLU post-ops, buffer reuse; one plan per batch size. */
    @Test
    void resNet50OnOneDnnMatchesTheComputationGraph() throws Exception {
        assertSameFeatures(ZooNetwork.RESNET50, 96, DnnlEncoder::build, 3);
        assertSameFeatures(ZooNetwork.RESNET50, 64, DnnlEncoder::build, 1);
    }

    @Test
    void oneDnnPathRefusesWhatItDoesNotTranslate() {
        for (ZooNetwork net : new ZooNetwork[] {ZooNetwork.VGG16, ZooNetwork.SQUEEZENET}) {
            ComputationGraph graph = net.randomInit(5, 64);
            FeatureLayers layers = FeatureLayers.find(graph.getConfiguration(), 64);
            EncoderInfo info = new EncoderInfo(net.id, layers.pooledDim(), layers.rows(), layers.cols(), layers.gridDim(),
                    net.input(64), true, "random-init seed=5", null, layers.grid(), "mean", "none");
            assertThrows(RebuildUnsupported.class, () -> DnnlEncoder.build(graph, layers, info), net.id);
        }
    }
}

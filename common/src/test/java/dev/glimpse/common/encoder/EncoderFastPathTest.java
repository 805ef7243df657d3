package dev.glimpse.common.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import java.awt.image.BufferedImage;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SameDiff rebuild against DL4J's own ComputationGraph on the same weights and images. */
class EncoderFastPathTest {
    @BeforeAll
    static void backend() {
        Backend.init();
    }

    private static void assertSameFeatures(ZooNetwork net, int size) throws Exception {
        ComputationGraph graph = net.randomInit(5, size);
        FeatureLayers layers = FeatureLayers.find(graph.getConfiguration(), size);
        EncoderInfo info = new EncoderInfo(net.id, layers.pooledDim(), layers.rows(), layers.cols(), layers.gridDim(),
                net.input(size), true, "random-init seed=5", null, layers.grid(), "mean", "none");
        GraphEncoder reference = new GraphEncoder(graph, layers, info, FeatureNorm.NONE);
        SameDiffEncoder fast = SameDiffEncoder.build(graph, layers, info);
        List<BufferedImage> images = FeatureNorm.calibrationImages().subList(3, 6);
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
        assertSameFeatures(ZooNetwork.RESNET50, 96); // zero padding, batch norm folded into convolutions, residual adds
    }
}

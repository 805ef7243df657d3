package dev.glimpse.common.encoder;

import dev.glimpse.common.image.Preprocessor;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Encodes through DL4J's ComputationGraph, reading only the vertices the features need: the reference the rebuilds are checked against. */
final class GraphEncoder extends EncoderPath {
    private final ComputationGraph graph;
    private final FeatureLayers layers;
    private final List<String> outputs = new ArrayList<>();
    private final boolean densePooled;

    GraphEncoder(ComputationGraph graph, FeatureLayers layers, EncoderInfo info, RandomInitCentering norm) {
        super(info, norm);
        this.graph = graph;
        this.layers = layers;
        outputs.add(layers.grid());
        densePooled = layers.pooled() != null;
        if (densePooled) {
            outputs.add(layers.pooled());
        }
    }

    @Override
    EncodedBatch run(List<BufferedImage> images) {
        INDArray x = Preprocessor.toNchw(images, info().preprocess()); // [B, 3, S, S]
        INDArray[] acts = graph.output(outputs, false, new INDArray[] {x}, null);
        return features(acts[0], densePooled ? acts[1] : null);
    }

    /** Grid [B, C, H, W] to [B, H*W, C] (row-major regions); pooled = dense output or grid mean. */
    static EncodedBatch features(INDArray gridAct, INDArray dense) {
        long b = gridAct.size(0);
        long c = gridAct.size(1);
        long regions = gridAct.size(2) * gridAct.size(3);
        INDArray grid = gridAct.permute(0, 2, 3, 1).dup('c').reshape('c', b, regions, c); // [B, R, C]
        INDArray pooled = dense != null ? dense.dup('c') : gridAct.mean(2, 3); // [B, F]
        return new EncodedBatch(pooled, grid);
    }

    @Override
    GraphEncoder withNorm(EncoderInfo newInfo, RandomInitCentering newNorm) {
        return new GraphEncoder(graph, layers, newInfo, newNorm);
    }

    @Override
    public void close() {
        graph.clear();
    }
}

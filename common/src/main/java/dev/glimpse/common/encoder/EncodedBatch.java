package dev.glimpse.common.encoder;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Features of one batch of images: {@code pooled} [B, F] is the whole-image vector, {@code grid}
 * [B, R, C] holds one C-vector per region, regions in row-major order (R = gridRows * gridCols).
 */
public record EncodedBatch(INDArray pooled, INDArray grid) {
    public int size() {
        return (int) pooled.size(0);
    }
}

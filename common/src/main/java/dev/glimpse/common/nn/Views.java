package dev.glimpse.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Cheap contiguous views of row ranges of 2-D c-order arrays (NDArrayIndex views cost more per call). */
public final class Views {
    private Views() {}

    /** Rows [from, to) of a c-order 2-D array with unit column stride, as a c-order view. */
    public static INDArray rows(INDArray a, long from, long to) {
        long cols = a.size(1);
        // A single row is contiguous whatever stride ND4J reports for its unit dimension ([1, n] may say [1, 1]).
        boolean contiguous = a.stride(1) == 1 && (a.stride(0) == cols || a.size(0) == 1);
        if (a.ordering() != 'c' || !contiguous) {
            throw new IllegalArgumentException("rows(): needs a contiguous c-order matrix, got " + a.shapeInfoToString());
        }
        if (from < 0 || to > a.size(0) || from > to) {
            throw new IllegalArgumentException("rows(): [" + from + ", " + to + ") outside " + a.size(0));
        }
        return Nd4j.create(a.data(), new long[] {to - from, cols}, new long[] {cols, 1}, a.offset() + from * cols, 'c', a.dataType());
    }

    /** Fills {@code blocks} with equal consecutive row blocks of {@code a} (a cell's gates stacked in one matrix). */
    public static void rowBlocks(INDArray a, INDArray[] blocks) {
        long size = a.size(0) / blocks.length;
        if (size * blocks.length != a.size(0)) {
            throw new IllegalArgumentException("rowBlocks(): " + a.size(0) + " rows do not split into " + blocks.length);
        }
        for (int k = 0; k < blocks.length; k++) {
            blocks[k] = rows(a, k * size, (k + 1) * size);
        }
    }

    /** The leading {@code rows x cols} block of a flat buffer (capacity reuse): a c-order view. */
    public static INDArray head(INDArray buffer, long rows, long cols) {
        if (rows * cols > buffer.length()) {
            throw new IllegalArgumentException("head(): " + rows + "x" + cols + " exceeds " + buffer.length());
        }
        return Nd4j.create(buffer.data(), new long[] {rows, cols}, new long[] {cols, 1}, buffer.offset(), 'c', buffer.dataType());
    }
}

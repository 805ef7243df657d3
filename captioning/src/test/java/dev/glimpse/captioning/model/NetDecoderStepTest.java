package dev.glimpse.captioning.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glimpse.captioning.net.CaptionNet;
import dev.glimpse.captioning.net.CaptionNetConfig;
import dev.glimpse.captioning.net.DecodeState;
import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The adapter's bulk row copies hand the decoders exactly the network's probabilities and attention. */
class NetDecoderStepTest {
    @BeforeAll
    static void init() {
        Backend.init();
    }

    @Test
    void rowsAreTheNetworksOutputsBeforeAndAfterSelect() {
        CaptionNetConfig cfg = new CaptionNetConfig(13, 6, 5, 4, 7, 1, 3, true, 0.0);
        CaptionNet net = new CaptionNet(cfg, 3);
        INDArray pooled = Nd4j.rand(DataType.FLOAT, 3, 6);
        INDArray grid = Nd4j.rand(DataType.FLOAT, 3, 4, 5);
        NetDecoderStep step = new NetDecoderStep(net, pooled, grid);
        DecodeState reference = net.start(pooled, grid);

        float[][] p = step.next(new int[] {1, 1, 1});
        assertRows(net.next(reference, new int[] {1, 1, 1}), p);
        assertRows(reference.attention(), step.attention());

        int[] rows = {2, 0, 2, 1};
        step.select(rows);
        reference = reference.select(rows);
        p = step.next(new int[] {5, 6, 7, 8});
        assertEquals(4, p.length);
        assertRows(net.next(reference, new int[] {5, 6, 7, 8}), p);
        assertRows(reference.attention(), step.attention());

        // selects of an unchanged size write into the state before last (beam search swaps two); same rows as fresh ones
        int[][] reorders = {{3, 3, 0, 1}, {1, 2, 3, 0}, {0, 0, 1, 1}, {2, 1}, {0, 1}, {1, 1}, {1, 0}};
        for (int i = 0; i < reorders.length; i++) {
            step.select(reorders[i]);
            reference = reference.select(reorders[i]);
            int[] tokens = new int[reorders[i].length];
            java.util.Arrays.fill(tokens, 2 + i);
            p = step.next(tokens);
            assertRows(net.next(reference, tokens), p);
            assertRows(reference.attention(), step.attention());
        }
    }

    private static void assertRows(INDArray expected, float[][] actual) {
        float[][] e = expected.toFloatMatrix();
        assertEquals(e.length, actual.length);
        for (int i = 0; i < e.length; i++) {
            assertArrayEquals(e[i], actual[i], 0f, "row " + i);
        }
    }
}

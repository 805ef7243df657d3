package dev.glimpse.common.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class EmbeddingTest {
    @BeforeAll
    static void init() {
        Backend.init();
    }

    @Test
    void forwardGathersRowsAndBackwardScatterAddsRepeatedIds() {
        Params.Builder b = Params.builder().dataType(DataType.DOUBLE);
        Embedding.declare(b, "e", 7, 3);
        Params p = b.build(1);
        Embedding emb = new Embedding(p, "e");
        int[] ids = {2, 5, 2, 0, 6};
        INDArray out = emb.forward(ids);
        for (int i = 0; i < ids.length; i++) {
            assertEquals(0.0, out.getRow(i).sub(p.get("e.e").getRow(ids[i])).amaxNumber().doubleValue(), 0);
        }
        INDArray r = Arrays2.uniform(DataType.DOUBLE, 2, 1, 5, 3);
        var result = GradientCheck.check(p, () -> {
            emb.backward(ids, r);
            return Arrays2.dot(emb.forward(ids), r);
        }, () -> Arrays2.dot(emb.forward(ids), r), 100, 1e-5, 1e-7, 3);
        assertTrue(result.max() < 1e-6, result.toString());
        assertEquals(r.getDouble(0, 1) + r.getDouble(2, 1), p.grad("e.e").getDouble(2, 1), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> emb.forward(new int[] {7}));
    }
}

package dev.glimpse.common.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DropoutTest {
    @BeforeAll
    static void init() {
        Backend.init();
    }

    @Test
    void invertedSeededAndIdentityAtInference() {
        INDArray x = Nd4j.ones(DataType.FLOAT, 100, 100);
        INDArray y = new Dropout(0.3, 7).forward(x.dup(), true);
        double zeros = y.eq(0).castTo(DataType.FLOAT).sumNumber().doubleValue();
        assertEquals(3000, zeros, 300);
        assertEquals(1.0, y.meanNumber().doubleValue(), 0.05);
        assertEquals(1 / 0.7, y.maxNumber().doubleValue(), 1e-5);
        assertEquals(0.0, new Dropout(0.3, 7).forward(x.dup(), true).sub(y).amaxNumber().doubleValue(), 0);
        Dropout d = new Dropout(0.3, 7);
        INDArray kept = d.forward(x.dup(), true);
        INDArray g = d.backward(Nd4j.ones(DataType.FLOAT, 100, 100));
        assertEquals(0.0, g.sub(kept).amaxNumber().doubleValue(), 0);
        assertEquals(0.0, d.forward(x.dup(), false).sub(x).amaxNumber().doubleValue(), 0);
    }
}

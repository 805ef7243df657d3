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

    @Test
    void drawsSplittableRandomsNumbersSoMasksAreAsBefore() {
        for (long seed : new long[] {0, 7, -3, 42L * 31 + 17, 0x5DEECE66DL}) {
            java.util.SplittableRandom want = new java.util.SplittableRandom(seed);
            Dropout d = new Dropout(0.5, seed);
            for (int i = 0; i < 10_000; i++) {
                assertEquals(want.nextDouble(), d.nextDouble(), 0.0, "seed " + seed + " draw " + i);
            }
            assertEquals(10_000, d.position());
        }
    }

    @Test
    void aGeneratorSetToAPositionContinuesTheSequence() {
        INDArray x = Nd4j.ones(DataType.FLOAT, 30, 20);
        Dropout straight = new Dropout(0.4, 11);
        straight.forward(x.dup(), true);
        straight.forward(x.dup(), false); // inference draws nothing
        straight.forward(x.dup(), true);
        long at = straight.position();
        assertEquals(2 * 600, at);
        INDArray next = straight.forward(x.dup(), true);
        Dropout resumed = new Dropout(0.4, 11);
        resumed.position(at);
        assertEquals(0.0, resumed.forward(x.dup(), true).sub(next).amaxNumber().doubleValue(), 0);
        assertEquals(straight.position(), resumed.position());
    }
}

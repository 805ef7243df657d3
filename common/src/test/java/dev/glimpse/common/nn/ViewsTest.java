package dev.glimpse.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class ViewsTest {
    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @Test
    void rowsOfASingleRowMatrixWhateverItsReportedStride() {
        var one = Nd4j.create(new float[] {1, 2, 3}, new long[] {1, 3}, 'c');
        assertArrayEquals(new float[] {1, 2, 3}, Views.rows(one, 0, 1).toFloatVector());
        var m = Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {3, 2}, 'c');
        float[][] tail = Views.rows(m, 1, 3).toFloatMatrix();
        assertArrayEquals(new float[] {3, 4}, tail[0]);
        assertArrayEquals(new float[] {5, 6}, tail[1]);
        assertThrows(IllegalArgumentException.class, () -> Views.rows(m.transpose(), 0, 1));
    }
}

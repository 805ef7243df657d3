package dev.glimpse.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

class BackendTest {
    @Test
    void oneDnnBinaryLoadsAndMultiplies() {
        Backend.init();
        var a = Nd4j.create(new float[] {1, 2, 3, 4}, 2, 2);
        var c = a.mmul(a);
        assertArrayEquals(new float[] {7, 10, 15, 22}, c.data().asFloat(), 1e-6f);
    }
}

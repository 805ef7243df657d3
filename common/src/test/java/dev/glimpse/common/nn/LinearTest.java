package dev.glimpse.common.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LinearTest {
    @BeforeAll
    static void init() {
        Backend.init();
    }

    @Test
    void forwardIsXwPlusBAndAccumulates() {
        Params.Builder b = Params.builder().dataType(DataType.DOUBLE);
        Linear.declare(b, "l", 3, 2, true);
        Params p = b.build(1);
        p.get("l.b").assign(Nd4j.createFromArray(new double[][] {{0.5, -1}}));
        Linear lin = new Linear(p, "l");
        INDArray x = Arrays2.uniform(DataType.DOUBLE, 2, 1, 4, 3);
        INDArray expected = x.mmul(p.get("l.w")).addRowVector(p.get("l.b"));
        assertEquals(0.0, lin.forward(x).sub(expected).amaxNumber().doubleValue(), 1e-12);
        INDArray y = Nd4j.ones(DataType.DOUBLE, 4, 2);
        lin.forward(x, y, true);
        assertEquals(0.0, y.sub(expected.add(1)).amaxNumber().doubleValue(), 1e-12);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Params.Builder b = Params.builder().dataType(DataType.DOUBLE);
        Linear.declare(b, "l", 5, 4, true);
        b.add("x", 6, 5, Init.uniform(1)); // the input as a parameter, to check dX too
        Params p = b.build(3);
        Linear lin = new Linear(p, "l");
        INDArray r = Arrays2.uniform(DataType.DOUBLE, 4, 1, 6, 4);
        var result = GradientCheck.check(p, () -> {
            INDArray y = lin.forward(p.get("x"));
            lin.backward(p.get("x"), r.dup(), p.grad("x"), true);
            return Arrays2.dot(y, r);
        }, () -> Arrays2.dot(lin.forward(p.get("x")), r), 100, 1e-5, 1e-7, 5);
        assertTrue(result.max() < 1e-6, result.toString());
    }
}

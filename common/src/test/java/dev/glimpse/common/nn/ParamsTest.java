package dev.glimpse.common.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class ParamsTest {
    @BeforeAll
    static void init() {
        Backend.init();
    }

    private static Params sample(long seed) {
        return Params.builder()
                .add("a", 3, 4, Init.xavier())
                .add("b", 1, 4, Init.constant(0.5))
                .add("c", 2, 5, Init.uniform(0.1))
                .add("d", 4, 2, Init.rows(0, 1, 0, 0))
                .build(seed);
    }

    @Test
    void viewsShareTheFlatBuffers() {
        Params p = sample(1);
        assertEquals(12 + 4 + 10 + 8, p.size());
        p.get("b").putScalar(0, 2, 7.0);
        assertEquals(7.0, p.flat().getDouble(0, 12 + 2), 0);
        p.grad("c").putScalar(1, 3, 3.0);
        assertEquals(3.0, p.flatGrad().getDouble(0, 16 + 5 + 3), 0);
        assertArrayEquals(new long[] {2, 5}, p.layout().get("c"));
        assertEquals("[a, b, c, d]", p.layout().keySet().toString());
    }

    @Test
    void initSchemesFillTheirRanges() {
        Params p = sample(2);
        double xavier = Math.sqrt(6.0 / 7);
        assertTrue(p.get("a").amaxNumber().doubleValue() <= xavier);
        assertTrue(p.get("a").amaxNumber().doubleValue() > 0.1);
        assertEquals(0.5, p.get("b").meanNumber().doubleValue(), 1e-7);
        assertTrue(p.get("c").amaxNumber().doubleValue() <= 0.1);
        assertEquals(2.0, p.get("d").sumNumber().doubleValue(), 0);
        assertEquals(1.0, p.get("d").getDouble(1, 1), 0);
        assertArrayEquals(sample(2).toFloatArray(), p.toFloatArray(), 0f);
        assertTrue(p.get("a").sub(sample(3).get("a")).amaxNumber().doubleValue() > 0);
    }

    @Test
    void clipGradNormScalesToTheMaximumAndReportsTheNormBefore() {
        Params p = sample(4);
        p.grad("a").putScalar(0, 0, 3.0);
        p.grad("d").putScalar(3, 1, 4.0);
        assertEquals(5.0, p.clipGradNorm(10.0), 1e-6);
        assertEquals(5.0, p.flatGrad().norm2Number().doubleValue(), 1e-6);
        assertEquals(5.0, p.clipGradNorm(1.0), 1e-6);
        assertEquals(1.0, p.flatGrad().norm2Number().doubleValue(), 1e-6);
        assertEquals(0.6, p.grad("a").getDouble(0, 0), 1e-6);
        p.zeroGrad();
        assertEquals(0.0, p.flatGrad().sumNumber().doubleValue(), 0);
    }

    @Test
    void copyFromRoundTripsAndDoubleWorks() {
        Params f = sample(5);
        Params d = Params.builder().add("x", 2, 3, Init.uniform(1)).dataType(DataType.DOUBLE).build(6);
        assertEquals(DataType.DOUBLE, d.get("x").dataType());
        float[] values = {1, 2, 3, 4, 5, 6};
        d.copyFrom(values);
        assertEquals(6.0, d.get("x").getDouble(1, 2), 0);
        Params g = sample(9);
        g.copyFrom(f.toFloatArray());
        assertArrayEquals(f.toFloatArray(), g.toFloatArray(), 0f);
        assertThrows(IllegalArgumentException.class, () -> g.copyFrom(new float[3]));
        assertThrows(IllegalArgumentException.class, () -> Params.builder().add("x", 1, 1, Init.zeros()).add("x", 1, 1, Init.zeros()));
    }
}

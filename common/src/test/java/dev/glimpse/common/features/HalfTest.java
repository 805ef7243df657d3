package dev.glimpse.common.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HalfTest {
    private static int bits(float f) {
        return Half.fromFloat(f) & 0xFFFF;
    }

    @Test
    void edgeCases() {
        assertEquals(0x0000, bits(0f));
        assertEquals(0x8000, bits(-0f));
        assertEquals(0x3C00, bits(1f));
        assertEquals(0xC000, bits(-2f));
        assertEquals(0x7BFF, bits(65504f)); // largest half
        assertEquals(0x7BFF, bits(65519.99f)); // below the midpoint to 65536: rounds down
        assertEquals(0x7C00, bits(65520f)); // the midpoint ties to even, which is infinity
        assertEquals(0x7C00, bits(1e10f));
        assertEquals(0xFC00, bits(Float.NEGATIVE_INFINITY));
        assertEquals(0x7C00, bits(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(Float.NaN))));
        assertEquals(0x0400, bits(0x1p-14f)); // smallest normal
        assertEquals(0x0001, bits(0x1p-24f)); // smallest subnormal
        assertEquals(0x0000, bits(0x1p-25f)); // exactly half of it: ties to even (zero)
        assertEquals(0x0001, bits(0x1.8p-25f)); // above the tie: up
        assertEquals(0x0003, bits(0x1.8p-23f)); // 3 * 2^-24, exact
        assertEquals(0x0002, bits(0x1.4p-23f)); // 2.5 units: ties to even (2)
        assertEquals(0x0004, bits(0x1.cp-23f)); // 3.5 units: ties to even (4)
        assertEquals(0x03FF, bits(0x1.ff8p-15f)); // largest subnormal
        assertEquals(0x0400, bits(0x1.ffcp-15f)); // rounds up into the smallest normal
        assertEquals(0x0000, bits(Float.MIN_VALUE)); // float subnormals flush to zero
        assertEquals(0x3C00, bits(1f + 0x1p-11f)); // tie between 1 and 1+2^-10: even (1)
        assertEquals(0x3C02, bits(1f + 0x3p-11f)); // tie between 1+2^-10 and 1+2^-9: even (the latter)
        assertEquals(0x3C01, bits(1f + 0x1.01p-11f)); // just past the tie: up
    }

    @Test
    void everyHalfSurvivesARoundTrip() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Half.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue((h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0);
                continue;
            }
            assertEquals(h, bits(f), "half 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void randomFloatsRoundToTheNearestHalfTiesToEven() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float x = Float.intBitsToFloat(rnd.nextInt());
            if (Float.isNaN(x) || Math.abs(x) > 65504f) {
                continue;
            }
            int h = bits(x);
            double got = Half.toFloat((short) h);
            for (int neighbour : new int[] {h - 1, h + 1}) {
                if ((neighbour & 0x7C00) == 0x7C00 || neighbour < 0 || ((neighbour ^ h) & 0x8000) != 0) {
                    continue;
                }
                double other = Half.toFloat((short) neighbour);
                double dGot = Math.abs(got - x);
                double dOther = Math.abs(other - x);
                assertTrue(dGot < dOther || (dGot == dOther && (h & 1) == 0),
                        x + " -> " + got + " but " + other + " is nearer or an even tie");
            }
        }
    }
}

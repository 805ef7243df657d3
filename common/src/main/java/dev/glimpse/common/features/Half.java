package dev.glimpse.common.features;

/**
 * IEEE 754 binary16 ("half") conversion for Java 17, which lacks {@code Float.floatToFloat16}.
 * Float to half rounds to nearest, ties to even; values beyond the half range become infinity,
 * NaN stays NaN. Half to float is exact (every half is a float) and goes through a table.
 */
public final class Half {
    public static final float MAX_VALUE = 65504f;
    private static final float[] TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < TO_FLOAT.length; h++) {
            TO_FLOAT[h] = decode((short) h);
        }
    }

    private Half() {}

    public static float toFloat(short half) {
        return TO_FLOAT[half & 0xFFFF];
    }

    public static short fromFloat(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xFF;
        int mant = bits & 0x7FFFFF;
        if (exp == 0xFF) { // infinity, or NaN kept quiet and non-zero
            return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1F) {
            return (short) (sign | 0x7C00);
        }
        if (e <= 0) {
            // Subnormal half: the value in units of 2^-24 is M * 2^(exp - 126), M with its leading 1.
            int shift = 126 - exp;
            if (shift > 24) {
                return (short) sign; // below half the smallest subnormal (float subnormals included)
            }
            int m = mant | 0x800000;
            int q = m >>> shift;
            int rest = m & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rest > halfway || (rest == halfway && (q & 1) == 1)) {
                q++; // may carry into the smallest normal, whose bit pattern follows on
            }
            return (short) (sign | q);
        }
        int m = mant >>> 13;
        int rest = mant & 0x1FFF;
        int h = (e << 10) + m;
        if (rest > 0x1000 || (rest == 0x1000 && (m & 1) == 1)) {
            h++; // a carry out of the mantissa bumps the exponent, up to infinity
        }
        return (short) (sign | h);
    }

    private static float decode(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int e = (h >>> 10) & 0x1F;
        int m = h & 0x3FF;
        if (e == 0) {
            float v = m * 0x1p-24f; // exact: m < 2^10
            return sign != 0 ? -v : v;
        }
        if (e == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (m << 13));
        }
        return Float.intBitsToFloat(sign | ((e - 15 + 127) << 23) | (m << 13));
    }
}

package dev.glimpse.common.nn;

import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One row times a fixed matrix, y [1, N] = x [1, K] W [K, N], through bfloat16 copies of x and W, for
 * decoding at batch 1. There a step is memory-bound: every token streams the recurrent and output
 * weights once. oneDNN's float GEMM at one row moves ~30 GB/s here ([1, 512] x [512, 2048] 0.145 ms,
 * x [512, 10000] 0.41 ms); its bfloat16 path on a CPU with AVX512_BF16 reads half the bytes at a higher
 * rate (0.043 ms and 0.22-0.27 ms, conversions included). From three rows on the float path is faster
 * again, so only batch 1 uses this.
 *
 * <p>Precision: bfloat16 keeps 8 significant bits. oneDNN accumulates in float, but x, W and the result
 * are rounded, so y is off by about 2^-8 of the magnitudes involved (a logit of 10 by up to ~0.05): the
 * best word can change where two words are that close. Callers opt in ({@code CaptionNet#decodeInBf16}).
 *
 * <p>The copy of W is taken by {@link #load}; the owner reloads it when its parameters change. Not
 * thread-safe.
 */
public final class Bf16RowProduct {
    private static final boolean CPU_SUPPORT = cpuFlag("avx512_bf16");

    private final INDArray w;  // [K, N] bf16
    private final INDArray x;  // [1, K] bf16
    private final INDArray y;  // [1, N] bf16
    private final ShortBuffer xBits;
    private final ShortBuffer yBits;

    public Bf16RowProduct(int k, int n) {
        this.w = Nd4j.create(DataType.BFLOAT16, k, n);
        this.x = Nd4j.create(DataType.BFLOAT16, 1, k);
        this.y = Nd4j.create(DataType.BFLOAT16, 1, n);
        this.xBits = shorts(x);
        this.yBits = shorts(y);
    }

    /**
     * Whether this CPU multiplies bfloat16 natively (AVX512_BF16). Without it oneDNN emulates the format
     * and the path is slower than float, so it should not be used.
     */
    public static boolean supported() {
        return CPU_SUPPORT;
    }

    public int inputSize() {
        return (int) w.size(0);
    }

    public int outputSize() {
        return (int) w.size(1);
    }

    /** Rows {@code from..from+rows(block)} of W := block (float [r, N]), rounded to bfloat16. */
    public void load(int from, INDArray block) {
        if (block.rank() != 2 || block.size(1) != w.size(1) || from < 0 || from + block.size(0) > w.size(0)) {
            throw new IllegalArgumentException("block " + block.shapeInfoToString() + " does not fit rows " + from
                    + ".. of [" + w.size(0) + ", " + w.size(1) + "]");
        }
        Views.rows(w, from, from + block.size(0)).assign(block);
    }

    /** y := x W for Java rows (x.length = K, y.length = N): no ND4J call besides the product itself. */
    public void multiply(float[] xIn, float[] yOut) {
        if (xIn.length != w.size(0) || yOut.length != w.size(1)) {
            throw new IllegalArgumentException("multiply: x[" + xIn.length + "], y[" + yOut.length + "] for ["
                    + w.size(0) + ", " + w.size(1) + "]");
        }
        for (int i = 0; i < xIn.length; i++) {
            xBits.put(i, toBf16(xIn[i]));
        }
        Nd4j.gemm(x, w, y, false, false, 1.0, 0.0);
        for (int j = 0; j < yOut.length; j++) {
            yOut[j] = fromBf16(yBits.get(j));
        }
    }

    /** The input row [1, K] in bfloat16, for callers that assemble it from several arrays. */
    public INDArray input() {
        return x;
    }

    /** yOut [1, N] float := (the current {@link #input()}) W. */
    public void multiplyInput(INDArray yOut) {
        Nd4j.gemm(x, w, y, false, false, 1.0, 0.0);
        yOut.assign(y);
    }

    /** Round to nearest even, as the hardware's conversion does; NaN stays NaN. */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        bits += 0x7fff + ((bits >>> 16) & 1);
        return (short) (bits >>> 16);
    }

    static float fromBf16(short s) {
        return Float.intBitsToFloat((s & 0xffff) << 16);
    }

    private static ShortBuffer shorts(INDArray a) {
        return a.data().pointer().asByteBuffer().order(ByteOrder.nativeOrder()).asShortBuffer();
    }

    private static boolean cpuFlag(String flag) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return (" " + line.substring(line.indexOf(':') + 1) + " ").contains(" " + flag + " ");
                }
            }
        } catch (Exception e) {
            // not Linux, or /proc unreadable: treat as unsupported (the float path is always correct)
        }
        return false;
    }
}

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
 * <p>Precision: bfloat16 keeps 8 significant bits (unit roundoff u = 2^-8). oneDNN accumulates in float, but
 * x, W and the result are rounded, so y_j is off by at most ~2u sum_i |x_i W_ij| + u |y_j| (a logit of 10 by
 * up to ~0.1): the best word could change where two are that close. {@link #exactMaximum} removes that: from
 * the bound (sum_i |x_i W_ij| <= |x| |W_j| by Cauchy-Schwarz, column norms kept) it finds every entry that
 * could be the largest and recomputes those from a float copy of W, so the largest entry, and where it is,
 * are the float product's. Callers opt in ({@code CaptionNet#decodeInBf16}).
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
    private final float[] wt;       // [N, K]: W transposed in float, for exactMaximum(); null without
    private final double[] colNorm; // [N]: |W_j|_2, null until computed after a load
    private boolean normsStale = true;

    /** Without {@link #exactMaximum}. */
    public Bf16RowProduct(int k, int n) {
        this(k, n, false);
    }

    /** @param exactMaximum keep a float copy of W (K N floats more) for {@link #exactMaximum} */
    public Bf16RowProduct(int k, int n, boolean exactMaximum) {
        this.w = Nd4j.create(DataType.BFLOAT16, k, n);
        this.x = Nd4j.create(DataType.BFLOAT16, 1, k);
        this.y = Nd4j.create(DataType.BFLOAT16, 1, n);
        this.xBits = shorts(x);
        this.yBits = shorts(y);
        this.wt = exactMaximum ? new float[Math.multiplyExact(k, n)] : null;
        this.colNorm = exactMaximum ? new double[n] : null;
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
        if (wt != null) {
            int k = (int) w.size(0);
            int n = (int) w.size(1);
            int r = (int) block.size(0);
            float[] v = block.dup('c').reshape(1, (long) r * n).toFloatVector();
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < n; j++) {
                    wt[j * k + from + i] = v[i * n + j];
                }
            }
            normsStale = true;
        }
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

    /**
     * After {@link #multiply(float[], float[])} with the same x: replaces every y_j that could be the true
     * product's largest (|y_j - (xW)_j| <= d_j, d_j = (2u + 2^-12) |x| |W_j| + 2u |y_j|, twice the rounding
     * bound, so any j with y_j + d_j below max_k (y_k - d_k) cannot be the largest) by (xW)_j computed in double
     * from the float copy. Returns the index of the largest entry, now the float product's argmax (up to float
     * rounding). Typically a handful of entries are recomputed.
     */
    public int exactMaximum(float[] xIn, float[] yOut) {
        if (wt == null) {
            throw new IllegalStateException("built without exactMaximum");
        }
        int k = (int) w.size(0);
        int n = (int) w.size(1);
        if (xIn.length != k || yOut.length != n) {
            throw new IllegalArgumentException("exactMaximum: x[" + xIn.length + "], y[" + yOut.length + "]");
        }
        if (normsStale) {
            for (int j = 0; j < n; j++) {
                double sq = 0;
                for (int i = 0, o = j * k; i < k; i++) {
                    sq += (double) wt[o + i] * wt[o + i];
                }
                colNorm[j] = Math.sqrt(sq);
            }
            normsStale = false;
        }
        double xNorm = 0;
        for (float v : xIn) {
            xNorm += (double) v * v;
        }
        double a = (0x1p-7 + 0x1p-12) * Math.sqrt(xNorm);
        double u2 = 0x1p-7;
        double floor = Double.NEGATIVE_INFINITY; // max_j (y_j - d_j): the true maximum is at least this
        for (int j = 0; j < n; j++) {
            floor = Math.max(floor, yOut[j] - a * colNorm[j] - u2 * Math.abs(yOut[j]));
        }
        int best = -1;
        for (int j = 0; j < n; j++) {
            if (yOut[j] + a * colNorm[j] + u2 * Math.abs(yOut[j]) >= floor) {
                double dot = 0;
                for (int i = 0, o = j * k; i < k; i++) {
                    dot += (double) xIn[i] * wt[o + i];
                }
                yOut[j] = (float) dot;
                if (best < 0 || yOut[j] > yOut[best]) {
                    best = j;
                }
            }
        }
        return best;
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

package dev.glimpse.common.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * All parameters of a model as 2-D row-major views into ONE flat [1, N] buffer, and their gradients as the
 * same views into a second flat buffer. One buffer means one Adam call, one norm for clipping and one
 * array to save; layers only ever hold views.
 */
public final class Params {
    private final DataType dataType;
    private final INDArray flat;     // [1, N]
    private final INDArray flatGrad; // [1, N]
    private final Map<String, long[]> layout;
    private final Map<String, INDArray> values = new LinkedHashMap<>();
    private final Map<String, INDArray> grads = new LinkedHashMap<>();
    private long version;

    private Params(DataType dataType, Map<String, long[]> layout, double[] init) {
        this.dataType = dataType;
        this.layout = Collections.unmodifiableMap(layout);
        this.flat = dataType == DataType.DOUBLE
                ? Nd4j.createFromArray(init).reshape(1, init.length)
                : Nd4j.createFromArray(toFloats(init)).reshape(1, init.length);
        this.flatGrad = Nd4j.zeros(dataType, 1, init.length);
        long offset = 0;
        for (var e : layout.entrySet()) {
            long[] shape = e.getValue();
            values.put(e.getKey(), view(flat, offset, shape));
            grads.put(e.getKey(), view(flatGrad, offset, shape));
            offset += shape[0] * shape[1];
        }
    }

    private static INDArray view(INDArray buffer, long offset, long[] shape) {
        return Nd4j.create(buffer.data(), shape.clone(), new long[] {shape[1], 1}, offset, 'c', buffer.dataType());
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    public static Builder builder() {
        return new Builder();
    }

    public INDArray get(String name) {
        INDArray v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return v;
    }

    public INDArray grad(String name) {
        INDArray g = grads.get(name);
        if (g == null) {
            throw new IllegalArgumentException("no parameter named " + name);
        }
        return g;
    }

    public boolean contains(String name) {
        return values.containsKey(name);
    }

    /** The flat parameter buffer [1, N]. */
    public INDArray flat() {
        return flat;
    }

    /** The flat gradient buffer [1, N], same layout as {@link #flat()}. */
    public INDArray flatGrad() {
        return flatGrad;
    }

    /** Ordered name -> shape {rows, cols}. */
    public Map<String, long[]> layout() {
        return layout;
    }

    public long size() {
        return flat.length();
    }

    public DataType dataType() {
        return dataType;
    }

    /**
     * A counter that changes whenever the parameter values change through {@link Adam#step()} or
     * {@link #copyFrom}: layers cache derived weights (e.g. the fused inference weights of {@link Lstm})
     * and rebuild them when it moved. Code that writes the values any other way (through {@link #flat()}
     * or a {@link #get} view) calls {@link #changed()} afterwards.
     */
    public long version() {
        return version;
    }

    /** Records that the parameter values were changed in place; derived caches are rebuilt on next use. */
    public void changed() {
        version++;
    }

    public void zeroGrad() {
        flatGrad.assign(0);
    }

    /** Scales all gradients together so their global L2 norm is at most {@code max}; returns the norm before clipping. */
    public double clipGradNorm(double max) {
        double norm = flatGrad.norm2Number().doubleValue();
        if (norm > max && norm > 0) {
            flatGrad.muli(max / norm);
        }
        return norm;
    }

    public void copyFrom(float[] source) {
        if (source.length != flat.length()) {
            throw new IllegalArgumentException("parameter count " + source.length + " != " + flat.length());
        }
        flat.assign(Nd4j.createFromArray(source).reshape(1, source.length).castTo(dataType));
        changed();
    }

    public float[] toFloatArray() {
        return flat.dup().castTo(DataType.FLOAT).data().asFloat();
    }

    public static final class Builder {
        private final Map<String, long[]> layout = new LinkedHashMap<>();
        private final Map<String, Init> inits = new LinkedHashMap<>();
        private DataType dataType = DataType.FLOAT;

        private Builder() {}

        public Builder add(String name, int rows, int cols, Init init) {
            if (layout.containsKey(name)) {
                throw new IllegalArgumentException("duplicate parameter " + name);
            }
            if (rows <= 0 || cols <= 0) {
                throw new IllegalArgumentException(name + ": bad shape " + rows + "x" + cols);
            }
            layout.put(name, new long[] {rows, cols});
            inits.put(name, init);
            return this;
        }

        /** FLOAT (default, for speed) or DOUBLE (for gradient checks). */
        public Builder dataType(DataType dataType) {
            if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
                throw new IllegalArgumentException("Params support FLOAT or DOUBLE, not " + dataType);
            }
            this.dataType = dataType;
            return this;
        }

        /** Each parameter draws from its own generator seeded by (seed, index), so adding a parameter does not change the others. */
        public Params build(long seed) {
            long total = 0;
            for (long[] s : layout.values()) {
                total += s[0] * s[1];
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("too many parameters: " + total);
            }
            double[] all = new double[(int) total];
            int offset = 0;
            int index = 0;
            for (var e : layout.entrySet()) {
                int rows = (int) e.getValue()[0];
                int cols = (int) e.getValue()[1];
                double[] v = new double[rows * cols];
                inits.get(e.getKey()).fill(v, rows, cols, new SplittableRandom(seed * 1_000_003L + index++));
                System.arraycopy(v, 0, all, offset, v.length);
                offset += v.length;
            }
            return new Params(dataType, new LinkedHashMap<>(layout), all);
        }
    }
}

package dev.glimpse.common.encoder;

import dev.glimpse.common.GlimpseException;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * ND4J's binary array format ({@code Nd4j.write(INDArray, DataOutputStream)}, the
 * {@code coefficients.bin} of a DL4J zip), parsed here so that every size is checked before any
 * memory is allocated for the data. The stream holds two buffers, each a header then big-endian
 * values: the shape-info buffer ({@code [rank, shape..., stride..., extras, ews, order]}, LONG or,
 * in files from old ND4J versions, INT) and the data buffer. A header is
 * {@code writeUTF(allocation mode)}, the length ({@code int} for the old modes DIRECT, HEAP,
 * JAVACPP, else {@code long}), {@code writeUTF(data type)}.
 */
final class Nd4jBinaryArray {
    static final int MAX_RANK = 32;
    private static final List<String> INT_LENGTH_MODES = List.of("DIRECT", "HEAP", "JAVACPP");
    private static final List<String> LONG_LENGTH_MODES = List.of("LONG_SHAPE", "MIXED_DATA_TYPES");

    /** What the two headers declare: the array's shape and order, and its data's length and type. */
    record Header(long[] shape, char order, long length, String dataType) {
        /** Bytes per value of the data type. */
        int valueBytes() {
            return dataType.equals("DOUBLE") ? 8 : 4;
        }

        String shapeText() {
            return Arrays.toString(shape);
        }
    }

    private Nd4jBinaryArray() {}

    /** Reads both headers and the shape; the stream is left at the first data value. */
    static Header readHeader(DataInputStream in, String where) throws IOException {
        String shapeMode = mode(in, where);
        long shapeLength = length(in, shapeMode);
        String shapeType = in.readUTF();
        if (!shapeType.equals("LONG") && !shapeType.equals("INT")) {
            throw new GlimpseException(where + ": shape information of type " + printable(shapeType)
                    + ", expected LONG or INT (not an ND4J array?)");
        }
        if (shapeLength < 4 || shapeLength > 2L * MAX_RANK + 4 || shapeLength % 2 != 0) {
            throw new GlimpseException(where + ": shape information of " + shapeLength + " values (not an ND4J array?)");
        }
        long[] info = new long[(int) shapeLength];
        for (int i = 0; i < info.length; i++) {
            info[i] = shapeType.equals("LONG") ? in.readLong() : in.readInt();
        }
        long rank = info[0];
        if (rank < 0 || rank > MAX_RANK || shapeLength != 2 * rank + 4) {
            throw new GlimpseException(where + ": rank " + rank + " does not fit its shape information");
        }
        long[] shape = Arrays.copyOfRange(info, 1, 1 + (int) rank);
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new GlimpseException(where + ": negative dimension in shape " + Arrays.toString(shape));
            }
            elements = multiplyCapped(elements, d);
        }
        char order = (char) info[info.length - 1];
        if (order != 'c' && order != 'f') {
            throw new GlimpseException(where + ": array order " + info[info.length - 1] + " is neither 'c' nor 'f'");
        }
        String dataMode = mode(in, where);
        long length = length(in, dataMode);
        String dataType = in.readUTF();
        if (!dataType.equals("FLOAT") && !dataType.equals("DOUBLE")) {
            throw new GlimpseException(where + ": values of type " + printable(dataType)
                    + " are not supported (FLOAT or DOUBLE)");
        }
        if (length != elements) {
            throw new GlimpseException(where + ": declares " + length + " values for a " + Arrays.toString(shape)
                    + " array");
        }
        return new Header(shape, order, length, dataType);
    }

    /**
     * Reads {@code header.length()} values into {@code out} as floats, refusing the first
     * non-finite one. {@code out} must have room for them all.
     */
    static void readValues(DataInputStream in, Header header, FloatBuffer out, String where) throws IOException {
        int size = header.valueBytes();
        byte[] chunk = new byte[(1 << 16) * size];
        ByteBuffer bytes = ByteBuffer.wrap(chunk).order(ByteOrder.BIG_ENDIAN);
        float[] values = new float[1 << 16];
        long done = 0;
        while (done < header.length()) {
            int n = (int) Math.min(values.length, header.length() - done);
            in.readFully(chunk, 0, n * size);
            bytes.clear();
            for (int i = 0; i < n; i++) {
                float v = size == 8 ? (float) bytes.getDouble() : bytes.getFloat();
                if (!Float.isFinite(v)) {
                    throw new GlimpseException(where + ": value " + (done + i) + " is " + v + " (not finite)");
                }
                values[i] = v;
            }
            out.put(values, 0, n);
            done += n;
        }
    }

    private static String mode(DataInputStream in, String where) throws IOException {
        String mode = in.readUTF();
        if (!INT_LENGTH_MODES.contains(mode) && !LONG_LENGTH_MODES.contains(mode)) {
            throw new GlimpseException(where + ": not an ND4J array (buffer header \"" + printable(mode) + "\")");
        }
        return mode;
    }

    private static long length(DataInputStream in, String mode) throws IOException {
        return INT_LENGTH_MODES.contains(mode) ? in.readInt() : in.readLong();
    }

    /** a * b, or Long.MAX_VALUE when that overflows (a size nobody can allocate anyway). */
    private static long multiplyCapped(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    private static String printable(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return "\"" + t.replaceAll("\\p{Cntrl}", "?") + "\"";
    }
}

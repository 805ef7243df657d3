package dev.glimpse.common.encoder;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelLimits;
import dev.glimpse.common.io.BoundedZip;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A ComputationGraph zip as DL4J's {@code ModelSerializer} writes it, read WITHOUT Java
 * deserialization. {@code ModelSerializer.restoreComputationGraph} runs
 * {@code ObjectInputStream.readObject()} on the zip's {@code preprocessor.bin}, so a crafted
 * weights file can run deserialization gadgets while loading; here only two entries are ever
 * opened: {@code configuration.json} (JSON, {@link ComputationGraphConfiguration#fromJson}, whose
 * polymorphic types are limited to DL4J's own layer, vertex and function base types) and
 * {@code coefficients.bin} (one ND4J binary array, parsed by {@link Nd4jBinaryArray}). Every other
 * entry ({@code preprocessor.bin}, {@code updaterState.bin}, {@code normalizer.bin},
 * {@code objects/...}) is never inflated.
 *
 * <p>Sizes are checked before allocation: the entry count and the configuration size (see
 * {@link ModelLimits}), then the parameter count the configuration implies (summed in long
 * arithmetic over its vertices), then the coefficient header's shape and length against that
 * count; only then is the parameter array allocated and filled, refusing non-finite values.
 */
final class Dl4jGraphZip {
    static final String CONFIGURATION = "configuration.json";
    static final String COEFFICIENTS = "coefficients.bin";
    static final String NO_PARAMS_MARKER = "noParams.marker";
    /** Two 64-entry shape buffers and four short strings: generous room for the headers. */
    private static final long COEFFICIENT_HEADER_BYTES = 4096;
    private static final BoundedZip.Limits LIMITS =
            new BoundedZip.Limits(Long.MAX_VALUE, ModelLimits.MAX_DL4J_ENTRIES, Long.MAX_VALUE);
    private static final String WHAT = "DL4J model file";

    private Dl4jGraphZip() {}

    static ComputationGraph load(Path file) {
        try (BoundedZip zip = BoundedZip.open(file, WHAT, LIMITS, Dl4jGraphZip::entryLimit)) {
            if (!zip.has(CONFIGURATION)) {
                throw new GlimpseException(file + ": not a DL4J model file (no " + CONFIGURATION + ")");
            }
            if (!zip.has(COEFFICIENTS) || zip.has(NO_PARAMS_MARKER)) {
                throw new GlimpseException(file + ": DL4J model file has no parameters (" + COEFFICIENTS + ")");
            }
            ComputationGraphConfiguration conf = configuration(file, zip.bytes(CONFIGURATION));
            long expected = parameterCount(file, conf);
            INDArray params = coefficients(file, zip, expected);
            if (conf.getDataType() != null && conf.getDataType() != DataType.FLOAT) {
                params = params.castTo(conf.getDataType());
            }
            ComputationGraph graph = new ComputationGraph(conf);
            graph.init(params, false);
            return graph;
        } catch (GlimpseException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new GlimpseException(file + ": not a usable DL4J ComputationGraph (" + e.getClass().getSimpleName()
                    + ": " + firstLine(e.getMessage()) + ")", e);
        }
    }

    /** Only the two entries read here have a cap; the others are listed, never inflated. */
    private static long entryLimit(String name) {
        if (name.equals(CONFIGURATION)) {
            return ModelLimits.MAX_DL4J_CONFIG_BYTES;
        }
        if (name.equals(COEFFICIENTS)) {
            return ModelLimits.MAX_DL4J_PARAMETERS * Double.BYTES + COEFFICIENT_HEADER_BYTES;
        }
        return Long.MAX_VALUE;
    }

    private static ComputationGraphConfiguration configuration(Path file, byte[] json) {
        String where = file + ": " + CONFIGURATION;
        ComputationGraphConfiguration conf;
        try {
            conf = ComputationGraphConfiguration.fromJson(new String(json, StandardCharsets.UTF_8));
        } catch (RuntimeException | StackOverflowError e) {
            throw new GlimpseException(where + ": not a ComputationGraph configuration (" + firstLine(rootMessage(e)) + ")");
        }
        if (conf == null || conf.getNetworkInputs() == null || conf.getNetworkInputs().isEmpty()
                || conf.getVertices() == null || conf.getVertices().isEmpty()) {
            throw new GlimpseException(where + ": not a ComputationGraph configuration (no inputs or vertices;"
                    + " a MultiLayerNetwork?)");
        }
        return conf;
    }

    /** What {@code ComputationGraph.init} would allocate, summed without allocating. */
    static long parameterCount(Path file, ComputationGraphConfiguration conf) {
        String where = file + ": " + CONFIGURATION;
        long total = 0;
        for (Map.Entry<String, GraphVertex> v : conf.getVertices().entrySet()) {
            long n = v.getValue().numParams(true);
            if (n < 0) {
                throw new GlimpseException(where + ": vertex " + v.getKey() + " declares " + n + " parameters");
            }
            total += Math.min(n, ModelLimits.MAX_DL4J_PARAMETERS + 1);
            if (total > ModelLimits.MAX_DL4J_PARAMETERS) {
                throw new GlimpseException(where + ": the network has more than " + ModelLimits.MAX_DL4J_PARAMETERS
                        + " parameters (the limit; vertex " + v.getKey() + " alone declares " + n + ")");
            }
        }
        if (total == 0) {
            throw new GlimpseException(where + ": the network has no parameters");
        }
        return total;
    }

    private static INDArray coefficients(Path file, BoundedZip zip, long expected) {
        String where = file + ": " + COEFFICIENTS;
        try (InputStream raw = zip.open(COEFFICIENTS);
             DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            Nd4jBinaryArray.Header h = Nd4jBinaryArray.readHeader(in, where);
            if (h.length() != expected) {
                throw new GlimpseException(where + ": holds " + h.length() + " values (shape " + h.shapeText()
                        + "), the configuration needs " + expected);
            }
            if (!isRowVector(h.shape())) {
                throw new GlimpseException(where + ": holds a " + h.shapeText() + " array, expected a [1, "
                        + expected + "] row vector");
            }
            INDArray params = Nd4j.createUninitialized(DataType.FLOAT, 1, expected); // [1, N]
            Nd4jBinaryArray.readValues(in, h, params.data().asNioFloat(), where);
            if (in.read() >= 0) {
                throw new GlimpseException(where + ": data continues after the " + expected + " values");
            }
            return params;
        } catch (java.io.EOFException e) {
            throw new GlimpseException(where + ": ends early");
        } catch (IOException e) {
            throw new GlimpseException(where + ": cannot be read: " + firstLine(e.getMessage()));
        }
    }

    /** [N], [1, N] or [N, 1]: one non-unit dimension at most, so 'c' and 'f' order hold the same sequence. */
    private static boolean isRowVector(long[] shape) {
        int big = 0;
        for (long d : shape) {
            if (d != 1) {
                big++;
            }
        }
        return shape.length >= 1 && shape.length <= 2 && big <= 1;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

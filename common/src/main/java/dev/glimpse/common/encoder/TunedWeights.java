package dev.glimpse.common.encoder;

import dev.glimpse.common.GlimpseException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fine-tuned part of an encoder: its parameters by {@code vertex/param} (DL4J's parameter-table
 * names, values in that table's element order) and the identity of the base weights they were tuned
 * from (a sha256 over the base values of exactly those parameters), so a model never puts tuned
 * weights on a different network or weights file.
 *
 * @param mode        the {@link FineTune} it was trained with, for display
 * @param split       the vertex the trainable part starts after; null = the image
 * @param baseSha256  sha256 of the base values of the tuned parameters (little-endian float32, sorted by key)
 * @param values      the tuned values
 */
public record TunedWeights(String mode, String split, String baseSha256, Map<String, float[]> values) {
    public TunedWeights {
        values = new TreeMap<>(values);
    }

    /** The same tuned parameters with the same values (the arrays compared by content). */
    public boolean sameValues(TunedWeights other) {
        if (other == null || !baseSha256.equals(other.baseSha256) || !values.keySet().equals(other.values.keySet())) {
            return false;
        }
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue(), other.values.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** sha256 of the graph's current values of the named parameters. */
    static String checksum(ComputationGraph graph, Iterable<String> keys) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String key : new java.util.TreeSet<String>(toList(keys))) {
                md.update(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                float[] f = param(graph, key).castTo(DataType.FLOAT).dup('c').data().asFloat();
                ByteBuffer buf = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                buf.asFloatBuffer().put(f);
                md.update(buf);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static java.util.List<String> toList(Iterable<String> keys) {
        java.util.List<String> out = new java.util.ArrayList<>();
        keys.forEach(out::add);
        return out;
    }

    static INDArray param(ComputationGraph graph, String key) {
        int slash = key.lastIndexOf('/');
        if (slash <= 0 || graph.getVertex(key.substring(0, slash)) == null) {
            throw new GlimpseException("tuned encoder weights: no vertex for '" + key + "' in this network");
        }
        INDArray p = graph.getVertex(key.substring(0, slash)).paramTable(false).get(key.substring(slash + 1));
        if (p == null) {
            throw new GlimpseException("tuned encoder weights: no parameter '" + key + "' in this network");
        }
        return p;
    }

    /** Puts the tuned values into the graph, after checking the graph holds the base weights they came from. */
    void applyTo(ComputationGraph graph) {
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            INDArray p = param(graph, e.getKey());
            if (p.length() != e.getValue().length) {
                throw new GlimpseException("tuned encoder weights: '" + e.getKey() + "' has " + e.getValue().length
                        + " values, the network's parameter " + p.length());
            }
        }
        String base = checksum(graph, values.keySet());
        if (!base.equals(baseSha256)) {
            throw new GlimpseException("tuned encoder weights were trained from other base weights (sha256 " + baseSha256
                    + ") than the encoder opened now (" + base + ")");
        }
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            INDArray p = param(graph, e.getKey());
            p.assign(Nd4j.createFromArray(e.getValue()).castTo(p.dataType()).reshape('c', p.shape()));
        }
    }
}

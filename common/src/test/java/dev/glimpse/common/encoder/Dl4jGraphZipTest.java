package dev.glimpse.common.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.testing.Allocations;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** DL4J weight zips read from their configuration and coefficients only, never through ObjectInputStream. */
class Dl4jGraphZipTest {
    @TempDir
    Path tmp;
    ComputationGraph original;
    Path saved;

    /** A serialized object whose deserialization leaves a mark: stands in for a gadget chain (URLDNS etc.). */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;
        static volatile boolean deserialized;

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            deserialized = true;
        }
    }

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    @BeforeEach
    void smallGraph() throws IOException {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "conv")
                .setOutputs("out").build();
        original = new ComputationGraph(conf);
        original.init();
        saved = tmp.resolve("graph.zip");
        ModelSerializer.writeModel(original, saved.toFile(), true);
        Gadget.deserialized = false;
    }

    /** The saved zip's entries, then {@code extra} replacing or adding entries. */
    Path rewritten(String name, Map<String, byte[]> extra) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(saved.toFile())) {
            for (Enumeration<? extends ZipEntry> e = z.entries(); e.hasMoreElements(); ) {
                ZipEntry ze = e.nextElement();
                entries.put(ze.getName(), z.getInputStream(ze).readAllBytes());
            }
        }
        entries.putAll(extra);
        entries.values().removeIf(v -> v == null);
        Path out = tmp.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(out))) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                z.putNextEntry(new ZipEntry(e.getKey()));
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return out;
    }

    static byte[] serialized(Object o) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(b)) {
            out.writeObject(o);
        }
        return b.toByteArray();
    }

    /** An ND4J binary array header as Nd4j.write produces it, claiming {@code length} values of a [1, length] array. */
    static byte[] coefficientsHeader(long length, String type) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeUTF("MIXED_DATA_TYPES");
        d.writeLong(8);
        d.writeUTF("LONG");
        for (long v : new long[] {2, 1, length, length, 1, 0, 1, 'c'}) {
            d.writeLong(v);
        }
        d.writeUTF("MIXED_DATA_TYPES");
        d.writeLong(length);
        d.writeUTF(type);
        return b.toByteArray();
    }

    byte[] coefficients(float... values) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(coefficientsHeader(values.length, "FLOAT"));
        DataOutputStream d = new DataOutputStream(b);
        for (float v : values) {
            d.writeFloat(v);
        }
        return b.toByteArray();
    }

    GlimpseException refused(Path file) {
        return assertThrows(GlimpseException.class, () -> Dl4jGraphZip.load(file));
    }

    @Test
    void weightsLoadEqualAndThePreprocessorObjectIsNeverDeserialized() throws IOException {
        Path crafted = rewritten("crafted.zip", Map.of("preprocessor.bin", serialized(new Gadget()),
                "objects/extra", serialized(new Gadget())));
        // Control: DL4J's own loader does deserialize it (so the gadget is live in this test).
        try {
            ModelSerializer.restoreComputationGraph(crafted.toFile(), false);
        } catch (Exception | LinkageError e) {
            // it may fail after readObject (the object is no DataSetPreProcessor); the mark is what counts
        }
        assertTrue(Gadget.deserialized, "control: ModelSerializer must run readObject on preprocessor.bin");
        Gadget.deserialized = false;

        ComputationGraph loaded = Dl4jGraphZip.load(crafted);
        assertFalse(Gadget.deserialized, "Glimpse's loader ran Java deserialization");
        assertEquals(original.params(), loaded.params());
        assertEquals(original.getConfiguration(), loaded.getConfiguration());
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3, 8, 8);
        assertEquals(original.outputSingle(x), loaded.outputSingle(x));
    }

    @Test
    void aCoefficientHeaderClaimingATrillionFloatsIsRefusedBeforeAllocation() throws IOException {
        byte[] header = coefficientsHeader(1_000_000_000_000L, "FLOAT");
        Path hostile = rewritten("huge.zip", Map.of("coefficients.bin", header));
        Allocations.Measured m = Allocations.measure(() -> Dl4jGraphZip.load(hostile));
        assertInstanceOf(GlimpseException.class, m.thrown());
        assertEquals(hostile + ": coefficients.bin: holds 1000000000000 values (shape [1, 1000000000000]),"
                + " the configuration needs " + original.numParams(), m.thrown().getMessage());
        assertTrue(m.offHeapBytes() < (1 << 20), "off-heap allocated: " + m.offHeapBytes());
        assertTrue(m.heapBytes() < (32L << 20), "heap allocated: " + m.heapBytes());
    }

    @Test
    void aConfigurationDeclaringTooManyParametersIsRefusedBeforeAllocation() throws IOException {
        String json = original.getConfiguration().toJson().replace("\"nout\" : 4", "\"nout\" : 400000000");
        assertTrue(json.contains("400000000"), "the test edits the conv layer's nOut");
        Path hostile = rewritten("wide.zip", Map.of("configuration.json", json.getBytes(StandardCharsets.UTF_8)));
        Allocations.Measured m = Allocations.measure(() -> Dl4jGraphZip.load(hostile));
        assertInstanceOf(GlimpseException.class, m.thrown());
        assertTrue(m.thrown().getMessage().startsWith(hostile + ": configuration.json: the network has more than"),
                m.thrown().getMessage());
        assertTrue(m.offHeapBytes() < (1 << 20), "off-heap allocated: " + m.offHeapBytes());
    }

    @Test
    void coefficientsThatDoNotMatchOrAreNotFiniteAreRefused() throws IOException {
        int n = (int) original.numParams();
        float[] values = original.params().toFloatVector();
        values[17] = Float.NaN;
        assertEquals(rewrittenPath("nan.zip") + ": coefficients.bin: value 17 is NaN (not finite)",
                refused(rewritten("nan.zip", Map.of("coefficients.bin", coefficients(values)))).getMessage());

        float[] fewer = new float[n - 1];
        assertEquals(rewrittenPath("short.zip") + ": coefficients.bin: holds " + (n - 1) + " values (shape [1, "
                        + (n - 1) + "]), the configuration needs " + n,
                refused(rewritten("short.zip", Map.of("coefficients.bin", coefficients(fewer)))).getMessage());

        byte[] cut = coefficients(new float[n]);
        byte[] truncated = java.util.Arrays.copyOf(cut, cut.length - 10);
        assertTrue(refused(rewritten("cut.zip", Map.of("coefficients.bin", truncated))).getMessage()
                .startsWith(rewrittenPath("cut.zip") + ": coefficients.bin: ends early"));

        byte[] half = coefficientsHeader(n, "HALF");
        assertTrue(refused(rewritten("half.zip", Map.of("coefficients.bin", half))).getMessage()
                .contains("values of type \"HALF\" are not supported"));

        byte[] garbage = "not an array at all".getBytes(StandardCharsets.UTF_8);
        assertTrue(refused(rewritten("garbage.zip", Map.of("coefficients.bin", garbage))).getMessage()
                .contains("coefficients.bin"));
    }

    Path rewrittenPath(String name) {
        return tmp.resolve(name);
    }

    @Test
    void filesThatAreNotComputationGraphZipsAreRefusedClearly() throws IOException {
        assertEquals(rewrittenPath("noconf.zip") + ": not a DL4J model file (no configuration.json)",
                refused(rewritten("noconf.zip", mapOfNull("configuration.json"))).getMessage());
        assertEquals(rewrittenPath("noparams.zip") + ": DL4J model file has no parameters (coefficients.bin)",
                refused(rewritten("noparams.zip", mapOfNull("coefficients.bin"))).getMessage());
        assertTrue(refused(rewritten("badjson.zip", Map.of("configuration.json", "{\"vertices\": [".getBytes())))
                .getMessage().startsWith(rewrittenPath("badjson.zip") + ": configuration.json: not a ComputationGraph"));
        Path notZip = tmp.resolve("plain.zip");
        Files.writeString(notZip, "PK\u0003\u0004 but nothing else");
        assertTrue(refused(notZip).getMessage().startsWith(notZip + ": not a DL4J model file"));
    }

    static Map<String, byte[]> mapOfNull(String key) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put(key, null);
        return m;
    }
}

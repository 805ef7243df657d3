package dev.glimpse.spark;

import dev.glimpse.common.encoder.EncoderRequest;
import java.io.Serializable;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;

/**
 * The encoder each task opens: {@link EncoderRequest} in a form that travels to executors. A
 * weights file is shipped with {@code SparkContext.addFile} and found by name on each executor.
 *
 * @param weights   the weights file as the user named it (shipped, then found by its file name), or null
 *                  (zoo weights or random init)
 * @param inputSize square input side, 0 = the network's own
 */
record EncoderOptions(String name, String weights, boolean randomInit, long seed, int inputSize)
        implements Serializable {

    /** The request on an executor, after the weights (if any) were shipped. */
    EncoderRequest onExecutor() {
        return new EncoderRequest(name, shippedWeights(), randomInit, seed, inputSize);
    }

    /** Identifies the encoder these options open on this executor, for {@link EncoderPool}. */
    String poolKey() throws java.io.IOException {
        Path shipped = shippedWeights();
        return this + (shipped == null ? ""
                : " " + java.nio.file.Files.size(shipped) + " " + java.nio.file.Files.getLastModifiedTime(shipped).toMillis());
    }

    /** The executor's copy of the weights file, or null. */
    Path shippedWeights() {
        return weights == null ? null : Path.of(SparkFiles.get(new org.apache.hadoop.fs.Path(weights).getName()));
    }
}

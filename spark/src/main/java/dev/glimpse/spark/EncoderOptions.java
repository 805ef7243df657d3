package dev.glimpse.spark;

import dev.glimpse.common.encoder.EncoderRequest;
import java.io.Serializable;
import java.nio.file.Path;
import org.apache.spark.SparkFiles;

/**
 * The encoder each task opens: {@link EncoderRequest} in a form that travels to executors. A
 * weights file is shipped with {@code SparkContext.addFile} and found by name on each executor.
 *
 * @param weightsName file name of the shipped weights, or null (zoo weights or random init)
 * @param inputSize   square input side, 0 = the network's own
 */
record EncoderOptions(String name, String weightsName, boolean randomInit, long seed, int inputSize)
        implements Serializable {

    /** The request on an executor, after the weights (if any) were shipped. */
    EncoderRequest onExecutor() {
        Path weights = weightsName == null ? null : Path.of(SparkFiles.get(weightsName));
        return new EncoderRequest(name, weights, randomInit, seed, inputSize);
    }
}

package dev.glimpse.common.encoder;

import java.util.Map;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A DL4J batch-norm layer at inference as y = scale * x + shift per channel, from its parameter
 * table (mean, var or log10stdev, gamma/beta or the locked constants): what both encoder rebuilds
 * fold into the preceding convolution (w' = scale * w, b' = scale * b + shift).
 */
record BatchNormAffine(INDArray scale, INDArray shift) {
    static BatchNormAffine of(BatchNormalization bn, Map<String, INDArray> p) {
        INDArray mean = mean(p);
        INDArray std = std(bn, p);
        long n = mean.length();
        INDArray gamma = bn.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[] {n}, (float) bn.getGamma())
                : p.get("gamma").castTo(DataType.FLOAT).reshape(-1).dup();
        INDArray beta = bn.isLockGammaBeta() ? Nd4j.valueArrayOf(new long[] {n}, (float) bn.getBeta())
                : p.get("beta").castTo(DataType.FLOAT).reshape(-1).dup();
        INDArray scale = gamma.div(std); // [C]
        return new BatchNormAffine(scale, beta.sub(mean.mul(scale))); // [C], [C]
    }

    /** The running mean [C]. */
    static INDArray mean(Map<String, INDArray> p) {
        return p.get("mean").castTo(DataType.FLOAT).reshape(-1).dup();
    }

    /** The running standard deviation [C] as DL4J's inference uses it (sqrt(var + eps) or 10^log10stdev). */
    static INDArray std(BatchNormalization bn, Map<String, INDArray> p) {
        return p.containsKey("log10stdev")
                ? Transforms.pow(Nd4j.valueArrayOf(new long[] {p.get("log10stdev").length()}, 10.0f),
                        p.get("log10stdev").castTo(DataType.FLOAT).reshape(-1), true)
                : Transforms.sqrt(p.get("var").castTo(DataType.FLOAT).reshape(-1).add(bn.getEps()), false);
    }

    /** The folded convolution: weights with the output channel first (any inner layout) scaled per channel, bias b' = scale * b + shift. */
    INDArray[] fold(INDArray w, INDArray b) {
        long o = w.size(0);
        INDArray w2 = w.reshape('c', o, w.length() / o).dup('c'); // [O, rest]
        w2.muliColumnVector(scale.reshape(o, 1));
        return new INDArray[] {w2.reshape('c', w.shape()), b.mul(scale).addi(shift)};
    }
}

package dev.glimpse.common.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softmax over the rows of logits [N, V] with cross-entropy loss, all in place: the logits array becomes the
 * probabilities, and with the gradient variants then dL/dlogits.
 * With target ids: L = -sum_n log p[n, y_n] over rows with y_n >= 0 (-1 = no loss, zero gradient);
 * dL/dz = p - onehot(y). With target distributions q (rows): L = -sum_n sum_v q log p; dL/dz = p * sum(q) - q.
 * The returned loss is the SUM over rows; gradients are multiplied by {@code scale} (e.g. 1/count for a mean).
 */
public final class SoftmaxCrossEntropy {
    /** p below this is treated as this when taking the log (float softmax can underflow to 0). */
    private static final double MIN_P = 1e-30;

    private SoftmaxCrossEntropy() {}

    /** Softmax in place; returns the summed loss over rows with a target (>= 0). */
    public static double loss(INDArray logits, int[] targets) {
        return loss(logits, targets, null);
    }

    /** Softmax in place; returns sum_n w_n (-log p[n, y_n]) over rows with a target (w null = all 1). */
    private static double loss(INDArray logits, int[] targets, double[] weights) {
        checkRows(logits, targets.length);
        Ops.softmaxRowsi(logits); // [N, V] probabilities
        double loss = 0;
        for (int n = 0; n < targets.length; n++) {
            if (targets[n] >= 0) {
                loss -= (weights == null ? 1 : weights[n]) * Math.log(Math.max(logits.getDouble(n, targets[n]), MIN_P));
            }
        }
        return loss;
    }

    /** Softmax in place, loss (sum), then logits := scale * (p - onehot) (zero rows for target -1). */
    public static double forwardBackward(INDArray logits, int[] targets, double scale) {
        return forwardBackward(logits, targets, null, scale);
    }

    /**
     * With row weights w (null = all 1): softmax in place, returns sum_n w_n (-log p[n, y_n]), then
     * logits := scale * w_n * (p - onehot). A weight may be negative (self-critical training pushes a sampled
     * caption that scored below its baseline down).
     */
    public static double forwardBackward(INDArray logits, int[] targets, double[] weights, double scale) {
        if (weights != null && weights.length != targets.length) {
            throw new IllegalArgumentException(weights.length + " weights for " + targets.length + " targets");
        }
        double loss = loss(logits, targets, weights);
        for (int n = 0; n < targets.length; n++) {
            int y = targets[n];
            if (y >= 0) {
                logits.putScalar(n, y, logits.getDouble(n, y) - 1.0);
            } else {
                Views.rows(logits, n, n + 1).assign(0);
            }
        }
        if (weights != null) {
            double[] w = new double[weights.length];
            for (int n = 0; n < w.length; n++) {
                w[n] = weights[n] * scale;
            }
            logits.muliColumnVector(Nd4j.createFromArray(w).castTo(logits.dataType()).reshape(w.length, 1));
        } else if (scale != 1.0) {
            logits.muli(scale);
        }
        return loss;
    }

    /** Softmax in place; returns -sum q log p. targets [N, V]. */
    public static double loss(INDArray logits, INDArray targets) {
        return distributionLoss(logits, targets, null);
    }

    /** Softmax in place, loss (sum), then logits := scale * (p * rowsum(q) - q). */
    public static double forwardBackward(INDArray logits, INDArray targets, double scale) {
        double[] rowSums = new double[(int) logits.size(0)];
        double loss = distributionLoss(logits, targets, rowSums);
        INDArray q = targets.dataType() == logits.dataType() ? targets : targets.castTo(logits.dataType());
        boolean allOne = true;
        for (double s : rowSums) {
            allOne &= Math.abs(s - 1.0) < 1e-6;
        }
        if (!allOne) {
            logits.muliColumnVector(Nd4j.createFromArray(rowSums).castTo(logits.dataType()).reshape(rowSums.length, 1));
        }
        logits.subi(q);
        if (scale != 1.0) {
            logits.muli(scale);
        }
        return loss;
    }

    private static double distributionLoss(INDArray logits, INDArray targets, double[] rowSums) {
        if (targets.size(0) != logits.size(0) || targets.size(1) != logits.size(1)) {
            throw new IllegalArgumentException("targets " + targets.shapeInfoToString() + " vs logits " + logits.shapeInfoToString());
        }
        Ops.softmaxRowsi(logits);
        int rows = (int) logits.size(0);
        int cols = (int) logits.size(1);
        double[] q = targets.dup('c').data().asDouble();
        double[] p = logits.dup('c').data().asDouble();
        double loss = 0;
        for (int n = 0; n < rows; n++) {
            double sum = 0;
            for (int v = n * cols, end = v + cols; v < end; v++) {
                double qv = q[v];
                if (qv != 0) {
                    loss -= qv * Math.log(Math.max(p[v], MIN_P));
                    sum += qv;
                }
            }
            if (rowSums != null) {
                rowSums[n] = sum;
            }
        }
        return loss;
    }

    private static void checkRows(INDArray logits, int n) {
        if (logits.rank() != 2 || logits.size(0) != n) {
            throw new IllegalArgumentException("logits " + logits.shapeInfoToString() + " for " + n + " targets");
        }
    }
}

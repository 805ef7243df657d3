package dev.glimpse.common.nn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Finite-difference check of analytic gradients (use DOUBLE params). Central differences on sampled entries of
 * every parameter; relative error |a - n| / max(|a|, |n|, floor): the floor keeps round-off of the difference
 * quotient (~1e-16 |L| / eps) on near-zero gradients from reading as a large relative error.
 * For tests of hand-written backward passes (kernels, model cores).
 */
public final class GradientCheck {
    private GradientCheck() {}

    /** Per-parameter maximum relative error; {@link #max()} over all. */
    public record Result(Map<String, Double> maxRelErrorByParam, double max, String worst, double worstAnalytic,
                         double worstNumeric, int checked) {
        @Override
        public String toString() {
            return String.format("max rel error %.3g (%s: analytic %.6g, numeric %.6g) over %d entries; %s",
                    max, worst, worstAnalytic, worstNumeric, checked, maxRelErrorByParam);
        }
    }

    /**
     * @param lossAndGrad runs forward + backward with zeroed gradients already, fills params' gradients, returns the loss
     * @param loss        forward only (deterministic), returns the same loss
     */
    public static Result check(Params params, DoubleSupplier lossAndGrad, DoubleSupplier loss,
                               int samplesPerParam, double eps, double floor, long seed) {
        if (params.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException("gradient checks need DOUBLE params");
        }
        params.zeroGrad();
        lossAndGrad.getAsDouble();
        INDArray analytic = params.flatGrad().dup();
        INDArray flat = params.flat();
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, Double> byParam = new LinkedHashMap<>();
        double max = 0;
        String worst = "";
        double worstA = 0;
        double worstN = 0;
        int checked = 0;
        long offset = 0;
        for (var e : params.layout().entrySet()) {
            long size = e.getValue()[0] * e.getValue()[1];
            double paramMax = 0;
            int samples = (int) Math.min(size, samplesPerParam);
            for (int s = 0; s < samples; s++) {
                long idx = offset + (size <= samplesPerParam ? s : rng.nextLong(size));
                double original = flat.getDouble(0, idx);
                flat.putScalar(0, idx, original + eps);
                params.changed();
                double plus = loss.getAsDouble();
                flat.putScalar(0, idx, original - eps);
                params.changed();
                double minus = loss.getAsDouble();
                flat.putScalar(0, idx, original);
                params.changed();
                double numeric = (plus - minus) / (2 * eps);
                double a = analytic.getDouble(0, idx);
                double rel = Math.abs(a - numeric) / Math.max(floor, Math.max(Math.abs(a), Math.abs(numeric)));
                paramMax = Math.max(paramMax, rel);
                if (rel >= max) {
                    max = rel;
                    worst = e.getKey();
                    worstA = a;
                    worstN = numeric;
                }
                checked++;
            }
            byParam.put(e.getKey(), paramMax);
            offset += size;
        }
        return new Result(byParam, max, worst, worstA, worstN, checked);
    }
}

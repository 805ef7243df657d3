package dev.glimpse.vqa;

/**
 * Step decay: the base rate for the first {@code decayAfter} epochs, then multiplied by
 * {@code factor} every {@code every} epochs (the schedule of the VQA LSTM baselines).
 */
public record LearningRateSchedule(double base, int decayAfter, int every, double factor) {
    public LearningRateSchedule {
        if (!(base > 0) || decayAfter < 0 || every < 1 || !(factor > 0) || factor > 1) {
            throw new IllegalArgumentException("bad learning-rate schedule: base " + base + ", decay after "
                    + decayAfter + ", every " + every + ", factor " + factor);
        }
    }

    public static LearningRateSchedule constant(double base) {
        return new LearningRateSchedule(base, Integer.MAX_VALUE, 1, 1.0);
    }

    /** The rate during {@code epoch} (0-based). */
    public double rate(int epoch) {
        if (epoch < decayAfter) {
            return base;
        }
        return base * Math.pow(factor, 1 + (epoch - decayAfter) / every);
    }
}

package dev.glimpse.common.features;

import dev.glimpse.common.GlimpseException;

/** Whether a feature source holds every image a run needs. */
public final class FeatureCoverage {
    private FeatureCoverage() {}

    /** Fails naming how many of {@code needed} are missing and the first one. */
    public static void requireAll(FeatureSource source, long[] needed, String sourceName) {
        int missing = 0;
        long first = -1;
        for (long id : needed) {
            if (!source.contains(id) && missing++ == 0) {
                first = id;
            }
        }
        if (missing > 0) {
            throw new GlimpseException(sourceName + ": " + missing + " of " + needed.length
                    + " images have no features (first: image id " + first + "); extract them first with glimpse features");
        }
    }
}

package dev.glimpse.common.features;

import dev.glimpse.common.GlimpseException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * How many of the images a run needs a feature source actually has. A cache missing images (a
 * partial extraction, skipped unreadable files, a repair that gave slots up) must not silently
 * shrink a training run: {@link #check} counts the missing ones and refuses unless the user allowed
 * that fraction with {@value #ALLOW_OPTION}.
 *
 * @param usable  the distinct needed ids the source has, in first-needed order
 * @param missing the distinct needed ids it lacks, in first-needed order
 */
public record FeatureCoverage(long[] usable, long[] missing) {
    /** The option (both trainers) that allows a stated fraction of the needed images to be missing. */
    public static final String ALLOW_OPTION = "--allow-missing";
    private static final int LISTED = 5;

    public int needed() {
        return usable.length + missing.length;
    }

    public double missingFraction() {
        return needed() == 0 ? 0 : (double) missing.length / needed();
    }

    /** One line for the log: {@code "features: 78 of 80 images (2 missing: 17, 42)"}. */
    public String summary(String sourceName) {
        return sourceName + ": " + usable.length + " of " + needed() + " images"
                + (missing.length == 0 ? "" : " (" + missing.length + " missing: " + listed() + ")");
    }

    /**
     * Counts the distinct {@code neededIds} that {@code source} lacks.
     *
     * @param sourceName      names the source in messages (the cache folder)
     * @param allowedFraction the fraction of needed images that may be missing, 0 to 1 (the value of
     *                        {@value #ALLOW_OPTION}; 0 = every image must be there)
     * @return the coverage, when the missing fraction is at most {@code allowedFraction}
     * @throws GlimpseException saying how many are missing and naming {@value #ALLOW_OPTION} otherwise
     */
    public static FeatureCoverage check(FeatureSource source, long[] neededIds, double allowedFraction,
                                        String sourceName) {
        if (!(allowedFraction >= 0 && allowedFraction <= 1)) {
            throw new GlimpseException(ALLOW_OPTION + " must be a fraction from 0 to 1, got " + allowedFraction);
        }
        Set<Long> distinct = new LinkedHashSet<>();
        for (long id : neededIds) {
            distinct.add(id);
        }
        long[] usable = new long[distinct.size()];
        long[] missing = new long[distinct.size()];
        int u = 0;
        int m = 0;
        for (long id : distinct) {
            if (source.contains(id)) {
                usable[u++] = id;
            } else {
                missing[m++] = id;
            }
        }
        FeatureCoverage c = new FeatureCoverage(Arrays.copyOf(usable, u), Arrays.copyOf(missing, m));
        if (m > 0 && c.missingFraction() > allowedFraction) {
            throw new GlimpseException(String.format(Locale.ROOT, "%s: %d of the %d images this run needs (%.1f%%) have"
                    + " no features (%s); extract them with glimpse features, or pass %s %.3f (or more) to train"
                    + " without them", sourceName, m, c.needed(), 100 * c.missingFraction(), c.listed(),
                    ALLOW_OPTION, Math.ceil(c.missingFraction() * 1000) / 1000));
        }
        return c;
    }

    private String listed() {
        StringBuilder sb = new StringBuilder("image ");
        for (int i = 0; i < Math.min(LISTED, missing.length); i++) {
            sb.append(i == 0 ? "" : ", ").append(missing[i]);
        }
        return missing.length > LISTED ? sb.append(", ...").toString() : sb.toString();
    }
}

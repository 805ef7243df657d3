package dev.glimpse.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What one partition's task reports to the driver.
 *
 * @param attemptDir where the task published its part (a Hadoop path URI)
 * @param encoded    images encoded into the part
 * @param skipped    images that could not be loaded
 * @param host       the executor's host, named when the driver cannot see the part
 */
record PartResult(int partition, String attemptDir, int encoded, List<SkippedImage> skipped, String host)
        implements Serializable {}

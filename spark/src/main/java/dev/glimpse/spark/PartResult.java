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
 * @param openSeconds   time to open the encoder
 * @param encodeSeconds time to load, encode and write the slice
 */
record PartResult(int partition, String attemptDir, int encoded, List<SkippedImage> skipped, String host,
                  double openSeconds, double encodeSeconds) implements Serializable {}

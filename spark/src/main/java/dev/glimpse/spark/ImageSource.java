package dev.glimpse.spark;

import dev.glimpse.common.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Reads and decodes one listed image inside a task. A {@code GlimpseException} skips the image
 * (as {@code glimpse features} does); anything else fails the task, which Spark retries.
 */
@FunctionalInterface
interface ImageSource extends Serializable {
    BufferedImage read(ImageEntry entry, ImageLoader loader, Configuration conf);

    /** Through Hadoop's file systems, with the loader's byte limit checked before reading. */
    static ImageSource hadoop() {
        return (entry, loader, conf) -> loader.load(
                HadoopFiles.readBounded(new Path(entry.uri()), loader.limits().maxBytes(), conf), entry.uri());
    }
}

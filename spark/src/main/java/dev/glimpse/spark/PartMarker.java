package dev.glimpse.spark;

import dev.glimpse.common.encoder.EncoderInfo;

/**
 * {@code part.json}: written into a part's folder after everything else in it, so its presence
 * says the part is complete.
 *
 * @param ids     the images the part holds, in its commit order
 * @param encoder the encoder that made the features (as in the part's own manifest)
 */
record PartMarker(String format, int version, int partition, int attempt, long[] ids, EncoderInfo encoder) {
    static final String FORMAT = "glimpse-spark-part";
    static final int VERSION = 1;

    static PartMarker of(int partition, int attempt, long[] ids, EncoderInfo encoder) {
        return new PartMarker(FORMAT, VERSION, partition, attempt, ids, encoder);
    }

    boolean valid() {
        return FORMAT.equals(format) && version == VERSION && ids != null && encoder != null;
    }
}

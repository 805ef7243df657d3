package dev.glimpse.datasets;

/**
 * How strict a reader is about the world outside the JSON file.
 *
 * @param requireFiles when true, an image file missing on disk is an error; when false (the
 *                     default) missing files are collected in the result's {@code missingFiles}
 *                     so a user can train on the images that are there and see what was skipped
 */
public record ReadOptions(boolean requireFiles) {
    /** Missing image files are reported, not fatal. */
    public static final ReadOptions DEFAULT = new ReadOptions(false);
    /** Every referenced image file must exist. */
    public static final ReadOptions REQUIRE_FILES = new ReadOptions(true);
}

package dev.glimpse.datasets;

import java.nio.file.Path;

/** One training pair: an image and one of its captions. */
public record ImageCaption(long imageId, Path file, long captionId, String caption) {}

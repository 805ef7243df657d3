package dev.glimpse.common.features;

import java.nio.file.Path;

/** One image to encode: its dataset id (the cache key) and its file. */
public record ImageRef(long id, Path file) {}

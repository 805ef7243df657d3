package dev.glimpse.spark;

import java.io.Serializable;

/** An image that could not be loaded; the reason names its file. */
record SkippedImage(long id, String reason) implements Serializable {}

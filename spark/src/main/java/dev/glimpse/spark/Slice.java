package dev.glimpse.spark;

import java.io.Serializable;
import java.util.List;

/** The images one Spark partition encodes: a contiguous, batch-aligned run of the image list. */
record Slice(int index, List<ImageEntry> images) implements Serializable {}

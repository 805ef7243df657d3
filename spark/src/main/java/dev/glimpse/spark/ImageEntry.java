package dev.glimpse.spark;

import java.io.Serializable;

/** One listed image: its dataset id (the cache key) and its file as a Hadoop path URI. */
record ImageEntry(long id, String uri) implements Serializable {}

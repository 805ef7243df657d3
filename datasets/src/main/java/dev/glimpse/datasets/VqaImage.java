package dev.glimpse.datasets;

import java.nio.file.Path;

/** An image some VQA question is about, with the file it was resolved to (may be missing on disk). */
public record VqaImage(long id, Path file) {}

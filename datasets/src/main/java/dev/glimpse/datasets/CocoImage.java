package dev.glimpse.datasets;

import java.nio.file.Path;

/**
 * One entry of a COCO {@code images} array.
 *
 * @param fileName as written in the JSON, relative to the image root
 * @param width    pixels, 0 when the JSON does not say
 * @param height   pixels, 0 when the JSON does not say
 * @param file     {@code fileName} resolved under the image root (may be missing on disk; see
 *                 {@link CaptionCorpus#missingFiles()})
 */
public record CocoImage(long id, String fileName, int width, int height, Path file) {}

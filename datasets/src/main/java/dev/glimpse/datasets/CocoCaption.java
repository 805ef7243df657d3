package dev.glimpse.datasets;

/** One entry of a COCO captions {@code annotations} array: the caption text as written. */
public record CocoCaption(long id, long imageId, String text) {}

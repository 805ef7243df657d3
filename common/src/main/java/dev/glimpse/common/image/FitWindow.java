package dev.glimpse.common.image;

/**
 * A rectangle of a source image in its pixel coordinates (origin top left, fractional bounds
 * allowed): the part {@link Preprocessor} scales into the network's square input.
 */
public record FitWindow(double x, double y, double width, double height) {}

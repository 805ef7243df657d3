package dev.glimpse.datasets.scenes;

import java.nio.file.Path;

/**
 * What {@link SceneGenerator} wrote for one split.
 *
 * @param imageDir {@code out/images/<split>}: the image root for the readers
 */
public record SceneSplit(String split, Path imageDir, Path captions, Path questions, Path annotations, Path objects,
                         int images, int captionCount, int questionCount) {}

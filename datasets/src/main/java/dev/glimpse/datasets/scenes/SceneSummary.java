package dev.glimpse.datasets.scenes;

import java.nio.file.Path;

/** The result of one {@link SceneGenerator} run. */
public record SceneSummary(Path out, long seed, int size, SceneSplit train, SceneSplit val, long millis) {}

package dev.glimpse.app.service;

import dev.glimpse.common.GlimpseException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the installed models live and the one message for a model file that is not there. */
public final class ModelFiles {
    private ModelFiles() {}

    /** {@code ~/.glimpse/models}, read when asked (not fixed when the class loads, so embedders and tests can move home). */
    public static Path dir() {
        return Path.of(System.getProperty("user.home"), ".glimpse", "models");
    }

    public static Path captioner() {
        return dir().resolve("captioner.zip");
    }

    public static Path vqa() {
        return dir().resolve("vqa.zip");
    }

    /**
     * The file given, or the installed default when none was.
     *
     * @param how the command that makes such a model, for the message
     */
    public static Path require(Path given, Path installed, String how) {
        Path f = given != null ? given : installed;
        if (!Files.isRegularFile(f)) {
            throw new GlimpseException(given != null ? f + ": model file not found"
                    : "no model at " + f + ": run `glimpse quickstart` to install the demo models, train one with `"
                    + how + " --out " + f + "`, or pass --model FILE");
        }
        return f;
    }

    /** The installed default if it exists, else null; a file given but missing is an error. */
    public static Path optional(Path given, Path installed) {
        if (given != null) {
            return require(given, installed, "");
        }
        return Files.isRegularFile(installed) ? installed : null;
    }
}

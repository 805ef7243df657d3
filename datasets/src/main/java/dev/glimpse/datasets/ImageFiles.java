package dev.glimpse.datasets;

import dev.glimpse.common.GlimpseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns file names from an annotation file into paths under the image root. A name that would
 * leave the root ({@code ../x}, {@code /etc/x}, {@code C:\x}) is an error even if the file
 * exists, and so is an existing file whose real path (symbolic links followed) is outside the
 * root's real path: annotation files come from the internet and must not make us read arbitrary
 * files. Files that are simply absent are collected, or fatal under {@link ReadOptions#requireFiles()}.
 */
final class ImageFiles {
    private final Path root;
    private final Path realRoot;
    private final boolean requireFiles;
    private final List<Path> missing = new ArrayList<>();

    ImageFiles(Path root, ReadOptions options) {
        if (root == null) {
            throw new IllegalArgumentException("image root is null");
        }
        this.root = root.toAbsolutePath().normalize();
        this.realRoot = realOrSelf(this.root);
        this.requireFiles = options.requireFiles();
    }

    private static Path realOrSelf(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p; // an absent root holds no files: every image is reported missing
        }
    }

    /** Resolves a relative name given in {@code field} of record {@code where}. */
    Path resolve(String relative, String field, String where) {
        Path file = inside(relative, field, where);
        if (!Files.isRegularFile(file)) {
            if (requireFiles) {
                throw new GlimpseException(where + ": image file not found: " + file);
            }
            missing.add(file);
        } else {
            requireRealPathInside(file, relative, field, where);
        }
        return file;
    }

    /** An existing file must stay inside the root once symbolic links are followed. */
    private void requireRealPathInside(Path file, String relative, String field, String where) {
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            throw new GlimpseException(where + ": cannot resolve the real path of " + file + ": " + e.getMessage());
        }
        if (!real.startsWith(realRoot)) {
            throw new GlimpseException(where + ": field \"" + field + "\" leads outside the image root through a symbolic"
                    + " link: \"" + relative + "\" is " + real);
        }
    }

    /** The path of {@code relative} under the root, or an error if it escapes the root. */
    Path inside(String relative, String field, String where) {
        if (relative.isEmpty()) {
            throw new GlimpseException(where + ": field \"" + field + "\" is empty");
        }
        if (relative.startsWith("/") || relative.indexOf('\\') >= 0
                || (relative.length() > 1 && relative.charAt(1) == ':')) {
            throw new GlimpseException(where + ": field \"" + field + "\" must be a relative path inside the image root, got \""
                    + relative + "\"");
        }
        Path file;
        try {
            Path rel = Path.of(relative);
            if (rel.isAbsolute()) {
                throw new GlimpseException(where + ": field \"" + field + "\" must be a relative path, got \"" + relative + "\"");
            }
            file = root.resolve(rel).normalize();
        } catch (InvalidPathException e) {
            throw new GlimpseException(where + ": field \"" + field + "\" is not a valid path: \"" + relative + "\"");
        }
        if (!file.startsWith(root) || file.equals(root)) {
            throw new GlimpseException(where + ": field \"" + field + "\" escapes the image root: \"" + relative + "\"");
        }
        return file;
    }

    List<Path> missing() {
        return List.copyOf(missing);
    }
}

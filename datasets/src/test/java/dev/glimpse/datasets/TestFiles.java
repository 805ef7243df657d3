package dev.glimpse.datasets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

final class TestFiles {
    private TestFiles() {}

    static Path resource(String name) {
        try {
            return Path.of(TestFiles.class.getResource("/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a JSON text given with single quotes (easier to read in Java strings). */
    static Path json(Path dir, String name, String singleQuoted) {
        try {
            Path p = dir.resolve(name);
            Files.writeString(p, singleQuoted.replace('\'', '"'));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void touch(Path file) {
        try {
            Files.createDirectories(file.getParent());
            Files.write(file, new byte[] {1});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

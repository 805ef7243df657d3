package dev.glimpse.common.image;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The odd-images corpus copied into test resources, with its manifest rows. */
final class OddImages {
    /** One manifest row: where the file is, what the corpus says should happen, what stock JDK 17 ImageIO did. */
    record Row(String name, Path file, String format, String special, String expected, String jdkObserved) {
        @Override
        public String toString() {
            return name;
        }
    }

    private OddImages() {}

    static Path root() {
        try {
            return Path.of(OddImages.class.getResource("/images/odd/manifest.tsv").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }

    static List<Row> rows() {
        Path root = root();
        try {
            List<String> lines = Files.readAllLines(root.resolve("manifest.tsv"), StandardCharsets.UTF_8);
            List<Row> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) {
                    continue;
                }
                String[] c = line.split("\t");
                String relative = c[0].substring("odd-images/".length());
                rows.add(new Row(relative, root.resolve(relative), c[1], c[3], c[4], c[5]));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

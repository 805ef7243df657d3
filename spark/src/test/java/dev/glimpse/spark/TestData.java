package dev.glimpse.spark;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;

/** A handful of generated pictures and the COCO captions / VQA questions files that list them. */
final class TestData {
    final Path images;
    final Path captions;
    final Path questions;
    /** Ids in list order; the captions file also lists a missing file. */
    final List<Long> ids = new ArrayList<>();
    static final long MISSING_ID = 999;

    private TestData(Path images, Path captions, Path questions) {
        this.images = images;
        this.captions = captions;
        this.questions = questions;
    }

    static TestData write(Path dir, int count, long seed) throws IOException {
        Path images = Files.createDirectories(dir.resolve("images"));
        TestData d = new TestData(images, dir.resolve("captions.json"), dir.resolve("questions.json"));
        Random rng = new Random(seed);
        StringBuilder coco = new StringBuilder("{\"images\": [");
        StringBuilder vqa = new StringBuilder("{\"data_subtype\": \"val2014\", \"questions\": [");
        for (int i = 0; i < count; i++) {
            long id = 100 + 7L * i;
            String name = String.format("COCO_val2014_%012d.png", id);
            ImageIO.write(picture(rng, 64 + rng.nextInt(64), 48 + rng.nextInt(64)), "png", images.resolve(name).toFile());
            d.ids.add(id);
            coco.append(i == 0 ? "" : ", ").append("{\"id\": ").append(id).append(", \"file_name\": \"").append(name).append("\"}");
            vqa.append(i == 0 ? "" : ", ").append("{\"image_id\": ").append(id).append(", \"question\": \"what?\", \"question_id\": ")
                    .append(i).append('}');
            if (i == count / 2) { // a file that is not there: listed, then skipped
                coco.append(", {\"id\": ").append(MISSING_ID).append(", \"file_name\": \"gone.png\"}");
            }
        }
        Files.writeString(d.captions, coco.append("], \"annotations\": []}").toString());
        Files.writeString(d.questions, vqa.append("]}").toString());
        return d;
    }

    private static BufferedImage picture(Random rng, int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(new Color(rng.nextInt(0xFFFFFF)));
        g.fillRect(0, 0, w, h);
        for (int s = 0; s < 3; s++) {
            g.setColor(new Color(rng.nextInt(0xFFFFFF)));
            int x = rng.nextInt(w);
            int y = rng.nextInt(h);
            if (rng.nextBoolean()) {
                g.fillOval(x - 10, y - 10, 10 + rng.nextInt(30), 10 + rng.nextInt(30));
            } else {
                g.fillRect(x - 10, y - 10, 10 + rng.nextInt(30), 10 + rng.nextInt(30));
            }
        }
        g.dispose();
        return img;
    }
}

package dev.glimpse.app.serve;

import dev.glimpse.app.service.AskRequest;
import dev.glimpse.app.service.AskResult;
import dev.glimpse.app.service.CaptionRequest;
import dev.glimpse.app.service.CaptionResult;
import dev.glimpse.app.service.CaptionService;
import dev.glimpse.app.service.CaptionSettings;
import dev.glimpse.app.service.ImageInput;
import dev.glimpse.app.service.VqaService;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Services whose answers are computed from the pixels (mean color, brightest cell), so HTTP and
 * page tests can check that the image really travelled through the server without a trained model.
 */
final class FakeEngine {
    volatile long delayMillis;
    /** The size of every batch the server's worker asked to caption, in order. */
    final List<Integer> batchSizes = java.util.Collections.synchronizedList(new ArrayList<>());

    /** The two fake services, sharing this engine's delay, decoding within the server's limits. */
    Services services(ServerLimits limits) {
        ImageLoader loader = new ImageLoader(limits.imageLimits());
        return new Services(new CaptionService() {
            /** Like a real batch: one delay for the whole batch, each image captioned from its own pixels. */
            @Override
            public List<CaptionResult> captionEach(List<ImageInput> images, CaptionSettings settings) {
                batchSizes.add(images.size());
                sleep();
                return images.stream().map(this::captionOne).toList();
            }

            @Override
            public CaptionResult caption(CaptionRequest request) {
                sleep();
                return captionOne(request.images().get(0));
            }

            private CaptionResult captionOne(ImageInput in) {
                BufferedImage image;
                try {
                    image = loader.load(in.bytes(), in.name());
                } catch (GlimpseException e) {
                    return new CaptionResult("fake", List.of(), List.of(new CaptionResult.ImageFailure(in.name(), e.getMessage())));
                }
                String color = dominantColor(image);
                int rows = 4, cols = 4;
                float[] weights = new float[rows * cols];
                weights[brightestCell(image, rows, cols)] = 1f;
                float[] uniform = new float[rows * cols];
                java.util.Arrays.fill(uniform, 1f / (rows * cols));
                List<CaptionResult.WordWeights> words = List.of(new CaptionResult.WordWeights("a", uniform),
                        new CaptionResult.WordWeights(color, weights), new CaptionResult.WordWeights("picture", uniform));
                String text = "a " + color + " picture";
                return new CaptionResult("fake", List.of(new CaptionResult.ImageCaption(in.name(), text, -1.0, true,
                        List.of(new CaptionResult.Alternative("a picture", -2.0)),
                        new CaptionResult.Attention(rows, cols, words, null))), List.of());
            }

            @Override
            public Map<String, Object> describe() {
                return Map.of("kind", "fake");
            }

            @Override
            public void close() {}
        }, new VqaService() {
            @Override
            public AskResult ask(AskRequest request) {
                sleep();
                String color = dominantColor(loader.load(request.image().bytes(), request.image().name()));
                List<AskResult.Answer> answers = new ArrayList<>(List.of(new AskResult.Answer(color, 0.7),
                        new AskResult.Answer("yes", 0.2), new AskResult.Answer("no", 0.1)));
                return new AskResult("fake", request.image().name(), request.question(),
                        answers.subList(0, Math.min(request.top(), answers.size())));
            }

            @Override
            public Map<String, Object> describe() {
                return Map.of("kind", "fake");
            }

            @Override
            public void close() {}
        });
    }

    private void sleep() {
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static String dominantColor(BufferedImage img) {
        long r = 0, g = 0, b = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                r += (p >> 16) & 255;
                g += (p >> 8) & 255;
                b += p & 255;
            }
        }
        return r >= g && r >= b ? "red" : g >= b ? "green" : "blue";
    }

    static int brightestCell(BufferedImage img, int rows, int cols) {
        double best = -1;
        int arg = 0;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double sum = 0;
                int y0 = i * img.getHeight() / rows, y1 = (i + 1) * img.getHeight() / rows;
                int x0 = j * img.getWidth() / cols, x1 = (j + 1) * img.getWidth() / cols;
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        int p = img.getRGB(x, y);
                        sum += ((p >> 16) & 255) + ((p >> 8) & 255) + (p & 255);
                    }
                }
                sum /= Math.max(1, (y1 - y0) * (x1 - x0));
                if (sum > best) {
                    best = sum;
                    arg = i * cols + j;
                }
            }
        }
        return arg;
    }
}

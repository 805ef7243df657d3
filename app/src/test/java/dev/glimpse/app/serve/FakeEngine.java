package dev.glimpse.app.serve;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An engine whose answers are computed from the pixels (mean color, brightest cell), so HTTP and
 * page tests can check that the image really travelled through the server without a trained model.
 */
final class FakeEngine implements InferenceEngine {
    volatile long delayMillis;

    @Override
    public boolean hasCaptioner() {
        return true;
    }

    @Override
    public boolean hasVqa() {
        return true;
    }

    @Override
    public CaptionResponse caption(BufferedImage image, int beam) {
        sleep();
        String color = dominantColor(image);
        int rows = 4, cols = 4;
        float[] weights = new float[rows * cols];
        weights[brightestCell(image, rows, cols)] = 1f;
        float[] uniform = new float[rows * cols];
        java.util.Arrays.fill(uniform, 1f / (rows * cols));
        List<WordAttention> words = new ArrayList<>();
        words.add(new WordAttention("a", uniform));
        words.add(new WordAttention(color, weights));
        words.add(new WordAttention("picture", uniform));
        String text = "a " + color + " picture";
        return new CaptionResponse(text, -1.0, List.of(new Alternative(text, -1.0), new Alternative("a picture", -2.0)),
                words, rows, cols, 1.0);
    }

    @Override
    public AskResponse ask(BufferedImage image, String question, int top) {
        sleep();
        String color = dominantColor(image);
        List<Answer> answers = new ArrayList<>(List.of(new Answer(color, 0.7), new Answer("yes", 0.2), new Answer("no", 0.1)));
        return new AskResponse(question, answers.subList(0, Math.min(top, answers.size())), 1.0);
    }

    @Override
    public Map<String, Object> info() {
        return Map.of("captioner", Map.of("kind", "fake"), "vqa", Map.of("kind", "fake"));
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

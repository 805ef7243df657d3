package dev.glimpse.app.service;

import dev.glimpse.common.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * An image a request names: a file (the CLI) or uploaded bytes (the server). Decoding happens in
 * the service, so the server decodes on its worker, inside its memory budget, never on the thread
 * that received the upload.
 *
 * @param name  what messages and results call it: the path, or the upload's file name
 * @param file  the file, or null
 * @param bytes the bytes, or null
 */
public record ImageInput(String name, Path file, byte[] bytes) {
    public ImageInput {
        if ((file == null) == (bytes == null)) {
            throw new IllegalArgumentException("an image input is a file or bytes");
        }
    }

    public static ImageInput file(Path file) {
        return new ImageInput(file.toString(), file, null);
    }

    public static ImageInput bytes(String name, byte[] bytes) {
        return new ImageInput(name == null || name.isBlank() ? "upload" : name, null, bytes);
    }

    BufferedImage load(ImageLoader loader) {
        return file != null ? loader.load(file) : loader.load(bytes, name);
    }

    /** Bytes held in memory (the server's budget counts them). */
    public long size() {
        return bytes == null ? 0 : bytes.length;
    }
}

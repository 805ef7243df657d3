package dev.glimpse.common.encoder;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.zip.Adler32;
import java.util.zip.CheckedInputStream;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.common.resources.ResourceType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;

/**
 * The zoo's pretrained ImageNet weights, fetched into the zoo's own cache
 * ({@code ~/.deeplearning4j/models/<model>/<file>}) with bounded timeouts: the zoo's downloader
 * waits forever on a network that drops packets, so the file is downloaded here first (connect
 * and read timeouts, temp file + rename, Adler32 checked), then read without Java
 * deserialization by {@link Dl4jGraphZip}.
 */
final class PretrainedWeights {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    private PretrainedWeights() {}

    static Path cachedFile(ZooModel<?> zoo) {
        String url = zoo.pretrainedUrl(PretrainedType.IMAGENET);
        File dir = DL4JResources.getDirectory(ResourceType.ZOO_MODEL, zoo.modelName());
        return dir.toPath().resolve(new File(url).getName());
    }

    /**
     * Makes sure the verified file is cached, then loads it as {@link LocalWeights} does (no Java deserialization).
     *
     * @param allowDownload whether a missing file may be fetched (the user named this encoder);
     *                      otherwise a missing file is an error saying how to get it
     */
    static ComputationGraph load(String name, ZooModel<?> zoo, boolean allowDownload) {
        Path file = cachedFile(zoo);
        String url = zoo.pretrainedUrl(PretrainedType.IMAGENET);
        long expected = zoo.pretrainedChecksum(PretrainedType.IMAGENET);
        if (!Files.isRegularFile(file) && !allowDownload) {
            throw new GlimpseException("the model was trained on the zoo's pretrained " + name + " weights, which are"
                    + " not cached at " + file + "; pass --download-weights to fetch them from " + url
                    + ", or --encoder-weights FILE");
        }
        if (!Files.isRegularFile(file)) {
            download(name, url, file, expected);
        } else if (expected != 0 && adler32(file) != expected) {
            throw new GlimpseException(file + ": cached " + name + " weights fail the zoo checksum (incomplete or"
                    + " corrupt download); delete it and rerun, or pass --weights FILE");
        }
        // Not zoo.initPretrained: it restores through ModelSerializer, which deserializes Java objects.
        return LocalWeights.load(file);
    }

    private static void download(String name, String url, Path file, long expectedAdler) {
        String advice = "; download " + url + " to " + file + ", or pass --weights FILE (a DL4J ComputationGraph zip),"
                + " or --random-init for an untrained demo encoder";
        HttpURLConnection conn = null;
        try {
            conn = (HttpURLConnection) new URL(url).openConnection();
            conn.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            conn.setReadTimeout((int) READ_TIMEOUT.toMillis());
            int status = conn.getResponseCode();
            if (status != HttpURLConnection.HTTP_OK) {
                throw new GlimpseException(name + ": pretrained weights are not cached at " + file + " and " + url
                        + " answered HTTP " + status + advice);
            }
            long length = conn.getContentLengthLong();
            System.err.printf("Downloading %s ImageNet weights (%s) from %s to %s%n", name,
                    length > 0 ? (length >> 20) + " MB" : "size unknown", url, file);
            Adler32 adler = new Adler32();
            try (InputStream in = new CheckedInputStream(conn.getInputStream(), adler)) {
                AtomicFiles.write(file, out -> copy(in, out));
            }
            if (expectedAdler != 0 && adler.getValue() != expectedAdler) {
                Files.deleteIfExists(file);
                throw new GlimpseException(name + ": downloaded weights from " + url + " fail the zoo checksum" + advice);
            }
        } catch (IOException e) {
            throw new GlimpseException(name + ": pretrained weights are not cached at " + file + " and " + url
                    + " cannot be reached (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")" + advice, e);
        } finally {
            if (conn != null) {
                conn.disconnect();
            }
        }
    }

    private static void copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[1 << 16];
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
        }
    }

    static long adler32(Path file) {
        Adler32 adler = new Adler32();
        try (InputStream in = new CheckedInputStream(Files.newInputStream(file), adler)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new GlimpseException(file + ": cannot read: " + e.getMessage(), e);
        }
        return adler.getValue();
    }
}

package dev.glimpse.common.encoder;

import dev.glimpse.common.GlimpseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * A ComputationGraph zip given with {@code --weights FILE}, checked before and after loading; read
 * by {@link Dl4jGraphZip} (configuration and coefficients only, never Java deserialization).
 */
final class LocalWeights {
    private LocalWeights() {}

    static ComputationGraph load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new GlimpseException(file + ": weights file not found");
        }
        byte[] head = new byte[4];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 4) < 4 || head[0] != 'P' || head[1] != 'K' || head[2] != 3 || head[3] != 4) {
                throw new GlimpseException(file + ": not a DL4J model file (expected a zip written by ModelSerializer)");
            }
        } catch (IOException e) {
            throw new GlimpseException(file + ": cannot read: " + e.getMessage(), e);
        }
        return Dl4jGraphZip.load(file);
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new GlimpseException(file + ": cannot read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

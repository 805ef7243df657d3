package dev.glimpse.common.train;

import dev.glimpse.common.GlimpseException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A data file a model was trained or evaluated on, identified by content so a run can be traced. */
public record DatasetFile(String role, String path, long bytes, String sha256, String modified) {

    public static DatasetFile of(String role, Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) > 0) {
                // digest only
            }
            MessageDigest md = ((DigestInputStream) in).getMessageDigest();
            return new DatasetFile(role, file.toAbsolutePath().normalize().toString(), Files.size(file),
                    HexFormat.of().formatHex(md.digest()), Files.getLastModifiedTime(file).toString());
        } catch (IOException e) {
            throw new GlimpseException(file + ": cannot read: " + e.getMessage());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

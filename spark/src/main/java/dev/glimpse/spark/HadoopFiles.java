package dev.glimpse.spark;

import dev.glimpse.common.GlimpseException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/** Hadoop FileSystem access shared by the driver and the tasks: local paths, HDFS, S3 and the rest alike. */
final class HadoopFiles {
    private HadoopFiles() {}

    /**
     * The file system of {@code path}; for local paths the raw one, which neither writes nor expects
     * Hadoop's {@code .crc} side files (the caches carry their own CRCs).
     */
    static FileSystem fileSystem(Path path, Configuration conf) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        return fs instanceof LocalFileSystem local ? local.getRaw() : fs;
    }

    /** A user-given path or URI, qualified (a path without scheme is on the default file system, local unless configured). */
    static Path qualified(String pathOrUri, Configuration conf) {
        try {
            Path p = new Path(pathOrUri);
            return p.getFileSystem(conf).makeQualified(p);
        } catch (IOException | IllegalArgumentException e) {
            throw new GlimpseException(pathOrUri + ": not a usable path (" + e.getMessage() + ")", e);
        }
    }

    /** True when {@code path} is on this machine's file system, so java.nio and memory maps can use it. */
    static boolean isLocal(Path path) {
        return "file".equals(path.toUri().getScheme());
    }

    static java.nio.file.Path local(Path path) {
        return java.nio.file.Path.of(path.toUri());
    }

    /**
     * Reads a whole file of at most {@code maxBytes} bytes; a missing, oversized or unreadable file
     * is a {@link GlimpseException} naming it.
     */
    static byte[] readBounded(Path path, long maxBytes, Configuration conf) {
        String name = path.toString();
        try {
            FileSystem fs = fileSystem(path, conf);
            FileStatus status = fs.getFileStatus(path);
            if (status.isDirectory()) {
                throw new GlimpseException(name + ": is a directory, not an image file");
            }
            if (status.getLen() > maxBytes) {
                throw new GlimpseException(name + ": more than the limit of " + maxBytes + " bytes");
            }
            byte[] bytes;
            // One byte past the limit at most: the length reported may be stale on an object store.
            try (InputStream in = fs.open(path)) {
                bytes = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
            }
            if (bytes.length > maxBytes) {
                throw new GlimpseException(name + ": more than the limit of " + maxBytes + " bytes");
            }
            return bytes;
        } catch (FileNotFoundException e) {
            throw new GlimpseException(name + ": no such file");
        } catch (IOException e) {
            throw new GlimpseException(name + ": cannot read file (" + e.getMessage() + ")", e);
        }
    }
}

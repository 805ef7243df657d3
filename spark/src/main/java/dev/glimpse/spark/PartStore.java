package dev.glimpse.spark;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.Json;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parts folder (any Hadoop file system all nodes reach): one sub-folder per task attempt,
 * {@code <run>-p<partition>-a<attempt>}, each a complete feature cache of its slice once it holds
 * {@value #MARKER}. Attempts never share a folder, so a retried or speculative attempt cannot
 * touch another's files; a folder without the marker is an attempt that died and is never read.
 */
final class PartStore {
    static final String MARKER = "part.json";
    static final int MAX_MARKER_BYTES = 64 << 20;
    private static final Pattern ATTEMPT = Pattern.compile("r[0-9a-z]+-p\\d{5}-a\\d+");
    private static final Logger LOG = LoggerFactory.getLogger(PartStore.class);

    /** A complete part. */
    record Part(Path dir, PartMarker marker) {}

    private final Path root;
    private final Configuration conf;

    PartStore(Path root, Configuration conf) {
        this.root = root;
        this.conf = conf;
    }

    Path root() {
        return root;
    }

    /** A fresh run id: attempt folders of two runs never collide, even within one Spark application. */
    static String newRunId() {
        return "r" + Long.toString(System.currentTimeMillis(), 36) + Integer.toString(new SecureRandom().nextInt(1 << 20), 36);
    }

    Path attemptDir(String runId, int partition, int attempt) {
        return new Path(root, String.format("%s-p%05d-a%d", runId, partition, attempt));
    }

    /** Writes the marker of a finished part: to a temporary name first, then renamed, so it is never seen half-written. */
    void publish(Path attemptDir, PartMarker marker) throws IOException {
        FileSystem fs = HadoopFiles.fileSystem(attemptDir, conf);
        Path tmp = new Path(attemptDir, "." + MARKER + ".tmp");
        byte[] json = Json.MAPPER.writeValueAsBytes(marker);
        try (OutputStream out = fs.create(tmp, true)) {
            out.write(json);
        }
        if (!fs.rename(tmp, new Path(attemptDir, MARKER))) {
            throw new IOException(attemptDir + ": could not rename " + tmp.getName() + " to " + MARKER);
        }
    }

    /**
     * @param complete   parts with a valid marker, in folder-name order (run, then partition)
     * @param incomplete attempt folders without one: attempts that failed or were cut off, or whose
     *                   marker is damaged (reported); never read, deleted after a merge
     */
    record Scan(List<Part> complete, List<Path> incomplete) {}

    Scan scan() {
        List<Part> parts = new ArrayList<>();
        List<Path> rest = new ArrayList<>();
        for (FileStatus dir : attemptDirs()) {
            PartMarker m = readMarker(new Path(dir.getPath(), MARKER));
            if (m != null) {
                parts.add(new Part(dir.getPath(), m));
            } else {
                rest.add(dir.getPath());
            }
        }
        return new Scan(parts, rest);
    }

    void delete(Path dir) {
        try {
            HadoopFiles.fileSystem(dir, conf).delete(dir, true);
        } catch (IOException e) {
            LOG.warn("{}: could not delete ({}); it is safe to remove by hand", dir, e.getMessage());
        }
    }

    /** Removes the parts folder itself when nothing else is left in it. */
    void deleteRootIfEmpty() {
        try {
            FileSystem fs = HadoopFiles.fileSystem(root, conf);
            if (fs.exists(root) && fs.listStatus(root).length == 0) {
                fs.delete(root, false);
            }
        } catch (IOException e) {
            LOG.warn("{}: could not remove the empty parts folder ({})", root, e.getMessage());
        }
    }

    boolean exists(Path p) {
        try {
            return HadoopFiles.fileSystem(p, conf).exists(p);
        } catch (IOException e) {
            throw new GlimpseException(p + ": cannot check (" + e.getMessage() + ")", e);
        }
    }

    private List<FileStatus> attemptDirs() {
        List<FileStatus> dirs = new ArrayList<>();
        try {
            FileSystem fs = HadoopFiles.fileSystem(root, conf);
            if (!fs.exists(root)) {
                return dirs;
            }
            for (FileStatus s : fs.listStatus(root)) {
                if (s.isDirectory() && ATTEMPT.matcher(s.getPath().getName()).matches()) {
                    dirs.add(s);
                }
            }
        } catch (IOException e) {
            throw new GlimpseException(root + ": cannot list the parts folder (" + e.getMessage() + ")", e);
        }
        dirs.sort(Comparator.comparing(s -> s.getPath().getName()));
        return dirs;
    }

    private PartMarker readMarker(Path marker) {
        try {
            FileSystem fs = HadoopFiles.fileSystem(marker, conf);
            FileStatus status = fs.getFileStatus(marker);
            if (status.getLen() > MAX_MARKER_BYTES) {
                LOG.warn("{}: larger than {} bytes; part ignored", marker, MAX_MARKER_BYTES);
                return null;
            }
            try (InputStream in = fs.open(marker)) {
                PartMarker m = Json.MAPPER.readValue(in.readNBytes(MAX_MARKER_BYTES), PartMarker.class);
                if (m.valid()) {
                    return m;
                }
                LOG.warn("{}: not a Glimpse part marker; part ignored", marker);
            }
        } catch (FileNotFoundException e) {
            return null;
        } catch (IOException e) {
            LOG.warn("{}: unreadable ({}); part ignored and extracted again", marker, e.getMessage());
        }
        return null;
    }
}

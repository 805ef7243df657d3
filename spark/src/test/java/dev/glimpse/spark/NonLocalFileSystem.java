package dev.glimpse.spark;

import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local disk under another scheme ({@code nonlocal:///tmp/...}), so that tests take the code
 * paths of HDFS or S3: parts written to a task's temp folder and copied up, copied down again
 * for the merge. Register with {@link #register}.
 */
public final class NonLocalFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "nonlocal";

    static void register(Configuration conf) {
        conf.set("fs." + SCHEME + ".impl", NonLocalFileSystem.class.getName());
    }

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }
}

package dev.glimpse.spark;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.features.FeatureCache;
import dev.glimpse.common.features.FeatureCacheWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Appends the records of complete parts to the one cache {@code glimpse train --features} reads,
 * on the driver, through the same {@link FeatureCacheWriter} (and so the same commit protocol:
 * a killed merge leaves a valid prefix that the next run continues). Records go in list order,
 * which is the order {@code glimpse features} commits them in, so both caches are byte for byte
 * the same; records of parts from another list (an interrupted run into the same folders) follow.
 * A part is read through {@link FeatureCache} (id and CRC checked per record) and its float16
 * values pass through float and back unchanged, every half being exactly a float.
 */
final class CacheMerge {
    static final int CHUNK = 64;

    /** @param records records appended by this merge */
    record Result(int records, int partsRead, double seconds) {}

    private final List<PartStore.Part> parts;
    private final java.nio.file.Path out;
    private final Configuration conf;

    CacheMerge(List<PartStore.Part> parts, java.nio.file.Path out, Configuration conf) {
        this.parts = parts;
        this.out = out;
        this.conf = conf;
    }

    Result merge(List<ImageEntry> list) {
        long start = System.nanoTime();
        if (parts.isEmpty()) {
            return new Result(0, 0, 0);
        }
        EncoderInfo info = parts.get(0).marker().encoder();
        removeStaleCopies();
        Map<Long, Integer> owner = new HashMap<>();
        for (int p = 0; p < parts.size(); p++) {
            for (long id : parts.get(p).marker().ids()) {
                owner.putIfAbsent(id, p);
            }
        }
        int appended = 0;
        int partsRead = 0;
        try (FeatureCacheWriter writer = FeatureCacheWriter.openOrCreate(out, info)) {
            List<long[]> todo = order(list, owner, writer); // {id, part}
            int[] lastUse = new int[parts.size()];
            Arrays.fill(lastUse, -1);
            for (int i = 0; i < todo.size(); i++) {
                lastUse[(int) todo.get(i)[1]] = i;
            }
            Map<Integer, OpenPart> open = new HashMap<>();
            try {
                for (int i = 0; i < todo.size(); ) {
                    int p = (int) todo.get(i)[1];
                    int end = i;
                    while (end < todo.size() && end - i < CHUNK && todo.get(end)[1] == p) {
                        end++;
                    }
                    long[] ids = new long[end - i];
                    for (int k = i; k < end; k++) {
                        ids[k - i] = todo.get(k)[0];
                    }
                    OpenPart part = open.get(p);
                    if (part == null) {
                        part = openPart(parts.get(p), info);
                        open.put(p, part);
                        partsRead++;
                    }
                    writer.append(ids, part.read(ids));
                    appended += ids.length;
                    i = end;
                    if (lastUse[p] < i) {
                        open.remove(p).close();
                    }
                }
            } finally {
                for (OpenPart part : open.values()) {
                    part.close();
                }
            }
        }
        return new Result(appended, partsRead, (System.nanoTime() - start) / 1e9);
    }

    /** What to append, as {id, part}: listed images in list order, then other parts' records in part order. */
    private List<long[]> order(List<ImageEntry> list, Map<Long, Integer> owner, FeatureCacheWriter writer) {
        List<long[]> todo = new ArrayList<>();
        Set<Long> taken = new HashSet<>();
        for (ImageEntry e : list) {
            Integer p = owner.get(e.id());
            if (p != null && !writer.contains(e.id()) && taken.add(e.id())) {
                todo.add(new long[] {e.id(), p});
            }
        }
        for (int p = 0; p < parts.size(); p++) {
            for (long id : parts.get(p).marker().ids()) {
                if (owner.get(id) == p && !writer.contains(id) && taken.add(id)) {
                    todo.add(new long[] {id, p});
                }
            }
        }
        return todo;
    }

    /** A part opened for reading; parts not on the local file system are copied next to the cache first. */
    private final class OpenPart implements AutoCloseable {
        final PartStore.Part part;
        final FeatureCache cache;
        final java.nio.file.Path copy; // null when read in place

        OpenPart(PartStore.Part part, FeatureCache cache, java.nio.file.Path copy) {
            this.part = part;
            this.cache = cache;
            this.copy = copy;
        }

        EncodedBatch read(long[] ids) {
            try {
                return new EncodedBatch(cache.pooled(ids), cache.grid(ids));
            } catch (GlimpseException e) {
                throw damaged(part, e);
            }
        }

        @Override
        public void close() {
            cache.close();
            if (copy != null) {
                LocalTrees.delete(copy);
            }
        }
    }

    private OpenPart openPart(PartStore.Part part, EncoderInfo info) {
        java.nio.file.Path copy = null;
        try {
            java.nio.file.Path dir;
            if (HadoopFiles.isLocal(part.dir())) {
                dir = HadoopFiles.local(part.dir());
            } else {
                copy = Files.createTempDirectory(out, ".merge-" + part.dir().getName() + "-");
                download(part.dir(), copy);
                dir = copy;
            }
            FeatureCache cache = FeatureCache.open(dir, info);
            long[] have = cache.ids();
            long[] want = part.marker().ids().clone();
            Arrays.sort(have);
            Arrays.sort(want);
            if (!Arrays.equals(have, want)) {
                throw new GlimpseException("its records do not match its " + PartStore.MARKER);
            }
            return new OpenPart(part, cache, copy);
        } catch (GlimpseException e) {
            if (copy != null) {
                LocalTrees.delete(copy);
            }
            throw damaged(part, e);
        } catch (IOException e) {
            if (copy != null) {
                LocalTrees.delete(copy);
            }
            throw new GlimpseException(part.dir() + ": cannot read this part (" + e.getMessage() + ")", e);
        }
    }

    /** Copies of parts a killed merge left in the cache folder. */
    private void removeStaleCopies() {
        if (!Files.isDirectory(out)) {
            return;
        }
        try (var entries = Files.newDirectoryStream(out, ".merge-*")) {
            for (java.nio.file.Path p : entries) {
                LocalTrees.delete(p);
            }
        } catch (IOException e) {
            // stale scratch copies only cost disk space
        }
    }

    private static GlimpseException damaged(PartStore.Part part, GlimpseException e) {
        return new GlimpseException(part.dir() + ": unusable part (" + e.getMessage()
                + "); delete this folder and run again to extract its images again", e);
    }

    private void download(Path dir, java.nio.file.Path to) throws IOException {
        FileSystem fs = HadoopFiles.fileSystem(dir, conf);
        for (FileStatus f : fs.listStatus(dir)) {
            if (f.isFile()) {
                fs.copyToLocalFile(false, f.getPath(), new Path(to.resolve(f.getPath().getName()).toUri()), true);
            }
        }
    }
}

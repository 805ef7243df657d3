package dev.glimpse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.Backend;
import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.features.FeatureCacheWriter;
import dev.glimpse.common.image.PreprocessSpec;
import org.nd4j.linalg.factory.Nd4j;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code glimpse features} on hostile annotation files and a damaged cache. */
class FeaturesCommandTest {
    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    @BeforeAll
    static void backend() {
        Backend.init();
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }

    Path captions(String imagesJson) throws Exception {
        Path f = dir.resolve("captions.json");
        Files.writeString(f, "{\"images\": [" + imagesJson + "], \"annotations\": []}");
        return f;
    }

    @Test
    void fileNamesLeavingTheImageFolderAreExitTwoNamingTheRecord() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path f = captions("{\"id\": 1, \"file_name\": \"a.jpg\"}, {\"id\": 2, \"file_name\": \"../../etc/passwd\"}");
        Result r = run("features", "--images", images.toString(), "--captions", f.toString(), "--random-init-encoder",
                "--encoder", "squeezenet", "--out", dir.resolve("cache").toString());
        assertEquals(ExitCodes.INPUT, r.code());
        assertEquals("glimpse: " + f + ": images[1] (id 2): field \"file_name\" escapes the image root: \"../../etc/passwd\"",
                r.err().strip());
        assertTrue(Files.notExists(dir.resolve("cache")), "nothing extracted");
    }

    @Test
    void aDamagedCacheIsExitTwoBeforeTheEncoderLoads() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path f = captions("{\"id\": 1, \"file_name\": \"1.png\"}, {\"id\": 2, \"file_name\": \"2.png\"}");
        Path cache = dir.resolve("cache");
        EncoderInfo info = new EncoderInfo("squeezenet", 2, 1, 1, 2, PreprocessSpec.plainRgb(8), true, "random-init seed=1",
                null, "grid", "mean(grid)", "none");
        try (FeatureCacheWriter w = FeatureCacheWriter.openOrCreate(cache, info)) {
            w.append(new long[] {1, 2}, new EncodedBatch(Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {2, 2}, 'c'),
                    Nd4j.create(new float[] {1, 2, 3, 4}, new long[] {2, 1, 2}, 'c')));
        }
        Path log = cache.resolve("commits.log");
        byte[] bytes = Files.readAllBytes(log);
        bytes[16 + 2] ^= 1; // entry 1's image id
        Files.write(log, bytes);
        Result damaged = run("features", "--images", images.toString(), "--captions", f.toString(), "--random-init-encoder",
                "--encoder", "squeezenet", "--out", cache.toString());
        assertEquals(ExitCodes.INPUT, damaged.code());
        assertEquals("glimpse: " + log + ": entry 1 (byte offset 16) is damaged (checksum mismatch; it names image 65538,"
                + " record slot 1 in shard-00000.f16, its record holds image 2); rerun glimpse features with --repair to"
                + " re-extract the affected images (or delete the cache folder)", damaged.err().strip());
    }
}

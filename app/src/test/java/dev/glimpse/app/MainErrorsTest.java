package dev.glimpse.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one error mapper: an OutOfMemoryError, direct or wrapped, ends as one line naming the limit, never a trace. */
class MainErrorsTest {
    @Command(name = "hungry")
    static final class Hungry implements Callable<Integer> {
        @Override
        public Integer call() {
            long[] huge = new long[Integer.MAX_VALUE - 16]; // 16 GB: more than any test heap
            return huge.length;
        }
    }

    @Command(name = "wrapped")
    static final class Wrapped implements Callable<Integer> {
        @Override
        public Integer call() {
            // As a worker thread's failure arrives through Future.get and a wrapping exception.
            throw new IllegalStateException("batch failed", new java.util.concurrent.ExecutionException(
                    new OutOfMemoryError("Cannot allocate new FloatPointer(100000000): totalBytes = 1G,"
                            + " physicalBytes = 7G")));
        }
    }

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        cl.addSubcommand(new Hungry());
        cl.addSubcommand(new Wrapped());
        cl.setOut(new PrintWriter(out, true)); // again: subcommands added later inherit them only this way
        cl.setErr(new PrintWriter(err, true));
        int code = Main.execute(cl, args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void anOutOfMemoryErrorIsOneLineNamingTheHeapLimit() {
        Result r = run("hungry");
        assertEquals(ExitCodes.RESOURCES, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("glimpse: out of memory (Java heap space): the command needs more than the Java heap of "),
                r.err());
        assertTrue(r.err().contains("GLIMPSE_JAVA_OPTS=-Xmx"), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void aWrappedOffHeapOutOfMemoryErrorNamesJavaCppsLimit() {
        Result r = run("wrapped");
        assertEquals(ExitCodes.RESOURCES, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("off-heap memory (JavaCPP's limits follow -Xmx: raise -Xmx, or"
                + " -Dorg.bytedeco.javacpp.maxbytes= and maxphysicalbytes=, in GLIMPSE_JAVA_OPTS)"), r.err());
    }

    @Test
    void aModelDeclaringAHugeNetworkIsExitTwoWithOneLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path model = dir.resolve("wide.zip");
        dev.glimpse.common.bundle.ModelBundle.writer("captioner")
                .json("net", new dev.glimpse.captioning.net.CaptionNetConfig(10, 6, 6, 8, 16000, 1, 4, true, 0))
                .write(model);
        java.nio.file.Path image = dir.resolve("a.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB),
                "png", image.toFile());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"caption", image.toString(), "--model", model.toString()},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(ExitCodes.INPUT, code, err.toString());
        assertEquals("glimpse: " + model + ": net.json: hiddenDim is 16000, expected 1 to 8192 (limit in ModelLimits)",
                err.toString().strip());
    }
}

package dev.glimpse.app.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.encoder.EncoderRequest;
import dev.glimpse.common.encoder.Encoders;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.features.FeatureCacheWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code glimpse bench corpus}: a generated corpus of COCO's size (a Karpathy split file, empty
 * image files, and a feature cache in the encoder's real record format) for measuring what
 * {@code train captioner --features} needs in memory at that scale. The words follow a Zipf law
 * over a COCO-sized vocabulary so the vocabulary, the caption lengths (9..21 tokens with end) and
 * the cache are COCO's, while the features are random: this corpus measures resources, not
 * learning.
 */
@Command(name = "corpus", mixinStandardHelpOptions = true,
        description = "Generate a COCO-sized captioning corpus with a random feature cache (for memory measurements).")
final class CorpusCommand implements Callable<Integer> {
    private static final int FEATURE_POOL = 64;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Folder for dataset_coco.json, images/ and features/ (created).")
    Path out;

    @Option(names = "--images", defaultValue = "118287", paramLabel = "N",
            description = "Images (default: ${DEFAULT-VALUE}, COCO train2017).")
    int images;

    @Option(names = "--captions-per-image", defaultValue = "5", paramLabel = "N",
            description = "Captions per image (default: ${DEFAULT-VALUE}).")
    int captionsPerImage;

    @Option(names = "--val", defaultValue = "5000", paramLabel = "N",
            description = "Images in the val split (default: ${DEFAULT-VALUE}, Karpathy's).")
    int val;

    @Option(names = "--vocabulary", defaultValue = "25000", paramLabel = "N",
            description = "Distinct words drawn from (Zipf); about 10k reach a count of 5 at COCO's size (default: ${DEFAULT-VALUE}).")
    int vocabulary;

    @Option(names = "--encoder", defaultValue = "resnet50", description = "Encoder whose record format the cache has (default: ${DEFAULT-VALUE}).")
    String encoder;

    @Option(names = "--encoder-size", defaultValue = "224", paramLabel = "PX",
            description = "Encoder input side, which sets the grid size (default: ${DEFAULT-VALUE}).")
    int encoderSize;

    @Option(names = "--seed", defaultValue = "7", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        PrintWriter log = spec.commandLine().getOut();
        if (images < 2 || images > 2_000_000 || val < 1 || val >= images) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--images 2..2000000 and --val 1..images-1");
        }
        if (captionsPerImage < 1 || captionsPerImage > 20 || vocabulary < 10 || vocabulary > 1_000_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--captions-per-image 1..20, --vocabulary 10..1000000");
        }
        Path imageDir = out.resolve("images");
        Files.createDirectories(imageDir);
        Random rnd = new Random(seed);
        long t0 = System.nanoTime();
        writeCaptions(out.resolve("dataset_coco.json"), imageDir, rnd);
        log.printf("captions: %d images x %d in %s (%.0f s)%n", images, captionsPerImage, out.resolve("dataset_coco.json"),
                (System.nanoTime() - t0) / 1e9);
        log.flush();
        t0 = System.nanoTime();
        writeFeatures(out.resolve("features"), rnd, log);
        log.printf("features: %s (%.0f s)%n", out.resolve("features"), (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private void writeCaptions(Path json, Path imageDir, Random rnd) throws IOException {
        double[] cumulative = zipf(vocabulary);
        Path tmp = json.resolveSibling(json.getFileName() + ".tmp");
        try (JsonGenerator g = new JsonFactory().createGenerator(tmp.toFile(), JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeStringField("dataset", "coco");
            g.writeArrayFieldStart("images");
            long sentId = 0;
            for (int i = 0; i < images; i++) {
                String name = String.format("%012d.jpg", i + 1);
                Path file = imageDir.resolve(name);
                if (!Files.exists(file)) {
                    Files.createFile(file); // read only from the feature cache; the readers ask that it exists
                }
                g.writeStartObject();
                g.writeStringField("filepath", "images");
                g.writeStringField("filename", name);
                g.writeNumberField("imgid", i);
                g.writeNumberField("cocoid", i + 1);
                g.writeStringField("split", i < val ? "val" : "train");
                g.writeArrayFieldStart("sentences");
                for (int s = 0; s < captionsPerImage; s++) {
                    int length = 8 + rnd.nextInt(13); // 8..20 words, 9..21 targets with the end token
                    StringBuilder raw = new StringBuilder();
                    g.writeStartObject();
                    g.writeArrayFieldStart("tokens");
                    for (int w = 0; w < length; w++) {
                        String word = "w" + draw(cumulative, rnd);
                        g.writeString(word);
                        raw.append(w == 0 ? "" : " ").append(word);
                    }
                    g.writeEndArray();
                    g.writeStringField("raw", raw.append('.').toString());
                    g.writeNumberField("imgid", i);
                    g.writeNumberField("sentid", sentId++);
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        Files.move(tmp, json, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A pool of random records cycled over the images: the cache's bytes, not its content, are measured. */
    private void writeFeatures(Path dir, Random rnd, PrintWriter log) {
        EncoderInfo info;
        try (ImageEncoder enc = Encoders.open(EncoderRequest.randomInit(encoder, seed).withInputSize(encoderSize))) {
            info = enc.info();
        }
        log.println("encoder: " + info.describe());
        log.flush();
        Nd4j.getRandom().setSeed(rnd.nextLong());
        INDArray pooled = Nd4j.randn(DataType.FLOAT, FEATURE_POOL, info.pooledDim());
        INDArray grid = Nd4j.randn(DataType.FLOAT, FEATURE_POOL, info.gridRegions(), info.gridDim());
        try (FeatureCacheWriter w = FeatureCacheWriter.openOrCreate(dir, info)) {
            for (int start = 0; start < images; start += FEATURE_POOL) {
                int n = Math.min(FEATURE_POOL, images - start);
                boolean done = true;
                for (int k = 0; k < n; k++) {
                    done &= w.contains(start + k + 1);
                }
                if (done) {
                    continue; // a rerun continues where the last stopped
                }
                long[] ids = new long[n];
                for (int k = 0; k < n; k++) {
                    ids[k] = start + k + 1;
                }
                EncodedBatch batch = n == FEATURE_POOL ? new EncodedBatch(pooled, grid)
                        : new EncodedBatch(pooled.get(NDArrayIndex.interval(0, n)).dup(), grid.get(NDArrayIndex.interval(0, n)).dup());
                w.append(ids, batch);
            }
        }
    }

    private static double[] zipf(int n) {
        double[] c = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1.0 / (i + 1);
            c[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            c[i] /= sum;
        }
        return c;
    }

    private static int draw(double[] cumulative, Random rnd) {
        int i = Arrays.binarySearch(cumulative, rnd.nextDouble());
        return i >= 0 ? i : Math.min(-i - 1, cumulative.length - 1);
    }
}

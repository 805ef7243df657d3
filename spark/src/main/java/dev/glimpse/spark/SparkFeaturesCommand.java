package dev.glimpse.spark;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncoderRequest;
import dev.glimpse.common.encoder.Encoders;
import dev.glimpse.common.features.FeatureCache;
import dev.glimpse.common.features.FeatureCacheWriter;
import dev.glimpse.common.features.FeatureExtractor;
import dev.glimpse.common.image.ImageLoader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code features} on Spark: the options of {@code glimpse features} (same names, defaults and
 * meaning; paths may be any Hadoop URI except {@code --out}) plus {@code --partitions} and
 * {@code --parts}. The master and executors come from {@code spark-submit}.
 */
@Command(name = "features", mixinStandardHelpOptions = true,
        header = "Extract CNN image features on a Spark cluster into one cache folder (rerun to resume).",
        description = "Reads the image list from a COCO captions or VQA questions file, encodes the images in"
                + " Spark partitions and merges their parts into the cache folder that `glimpse train --features` reads.")
final class SparkFeaturesCommand implements Callable<Integer> {
    static final int MAX_LISTED_FAILURES = 20;

    @Spec
    CommandSpec spec;

    @Option(names = "--images", required = true, paramLabel = "DIR",
            description = "Folder the image file names are relative to (a local path or any Hadoop URI: hdfs://, s3a://, ...).")
    String images;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ImageList list;

    static final class ImageList {
        @Option(names = "--captions", paramLabel = "FILE", description = "COCO captions JSON (images[].id, file_name).")
        String captions;

        @Option(names = "--questions", paramLabel = "FILE", description = "VQA questions JSON (questions[].image_id).")
        String questions;
    }

    @Option(names = "--encoder", defaultValue = Encoders.DEFAULT, paramLabel = "NAME",
            description = "Image encoder: resnet50, vgg16 or squeezenet (small, fast) (default: ${DEFAULT-VALUE}).")
    String encoder;

    @Option(names = "--encoder-weights", paramLabel = "FILE",
            description = "Local DL4J ComputationGraph zip instead of the zoo's pretrained ImageNet weights (shipped to every executor).")
    String weights;

    @Option(names = "--random-init-encoder", description = "Untrained, seeded encoder weights (offline demos and tests; recorded as such).")
    boolean randomInit;

    @Option(names = "--encoder-seed", paramLabel = "N", defaultValue = "" + EncoderRequest.DEFAULT_SEED,
            description = "Seed of random-init encoder weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--encoder-size", paramLabel = "PX", defaultValue = "0",
            description = "Square encoder input side; 0 = the network's own (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = FeatureCache.REPAIR_OPTION, description = "Repair a damaged cache first (on the driver): give up damaged"
            + " commit entries and records, and extract those images again (without it, damage is an error).")
    boolean repair;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Images per forward pass (default 16).")
    int batch;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Cache folder on the driver's local or mounted file system (created, or resumed).")
    java.nio.file.Path out;

    @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
            description = "Slices of the image list, one task each (default: the cores Spark offers, or more so that no slice exceeds "
                    + Slicing.IMAGES_PER_SLICE + " images).")
    int partitions;

    @Option(names = "--parts", paramLabel = "URI",
            description = "Folder for the partitions' parts, on a file system every node reaches (default: OUT/spark-parts, enough in local mode).")
    String parts;

    private final Supplier<JavaSparkContext> context;
    private final ImageSource source;

    SparkFeaturesCommand(Supplier<JavaSparkContext> context, ImageSource source) {
        this.context = context;
        this.source = source;
    }

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        new FeatureExtractor.Options(batch, new ImageLoader(), null); // the CLI's check of --batch
        if (partitions < 0) {
            throw new GlimpseException("--partitions must be at least 1 (or 0 for the default), got " + partitions);
        }
        if (!Encoders.NAMES.contains(encoder.trim().toLowerCase(Locale.ROOT))) {
            throw new GlimpseException("unknown encoder \"" + encoder + "\"; choose one of " + Encoders.NAMES);
        }
        if (weights != null) {
            new EncoderRequest(encoder, java.nio.file.Path.of(weights), randomInit, seed); // the CLI's check of --random-init with --weights
        }
        if (repair) {
            for (FeatureCacheWriter.Repair r : FeatureCacheWriter.repair(out)) {
                stderr.println("repaired slot " + r.slot() + (r.imageId() >= 0 ? " (image " + r.imageId() + ")" : "")
                        + ": " + r.reason());
            }
        } else {
            FeatureCacheWriter.requireIntactLog(out); // before Spark starts
        }
        JavaSparkContext sc = context.get();
        if (weights != null) {
            requireFile(weights, sc);
        }
        if (!sc.isLocal() && HadoopFiles.isLocal(SparkFeatures.partsFolder(request(), sc.hadoopConfiguration()))) {
            stderr.println("note: the parts folder is on the driver's local file system; executors on other machines must"
                    + " see it at the same path (a shared mount), or pass --parts hdfs://... or s3a://...");
        }
        SparkFeatures.Report report = new SparkFeatures(sc, source, stderr).run(request());
        stderr.println("encoder: " + report.encoder());
        int listed = 0;
        for (SkippedImage s : report.skipped()) {
            if (listed++ == MAX_LISTED_FAILURES) {
                stderr.println("... and " + (report.skipped().size() - MAX_LISTED_FAILURES) + " more skipped");
                break;
            }
            stderr.println("skipped image " + s.id() + ": " + s.reason());
        }
        stdout.printf("images: %d listed, %d already cached, %d encoded, %d skipped%n", report.listed(),
                report.alreadyCached(), report.encoded(), report.skipped().size());
        stdout.printf("speed: %.2f images/s (%d partitions in %.1f s; per task: encoder opened in %.1f s, %.2f images/s)%n",
                report.imagesPerSecond(), report.partitions(), report.extractSeconds(),
                report.partitions() > 0 ? report.taskOpenSeconds() / report.partitions() : 0,
                report.taskEncodeSeconds() > 0 ? report.encoded() / report.taskEncodeSeconds() : 0);
        stdout.printf("merged: %d records from %d parts in %.1f s%n", report.merge().records(), report.merge().partsRead(),
                report.merge().seconds());
        stdout.printf("bytes per image: %d; cache %s: %.1f MB%n", report.bytesPerImage(), out, report.cacheBytes() / 1e6);
        return SparkMain.OK;
    }

    private SparkFeatures.Request request() {
        boolean captionsList = list.captions != null;
        return new SparkFeatures.Request(captionsList ? list.captions : list.questions, !captionsList, images,
                new EncoderOptions(encoder, weights, randomInit, seed, size), batch, out, parts, partitions);
    }

    private static void requireFile(String file, JavaSparkContext sc) {
        Path p = HadoopFiles.qualified(file, sc.hadoopConfiguration());
        try {
            FileSystem fs = HadoopFiles.fileSystem(p, sc.hadoopConfiguration());
            if (!fs.exists(p) || !fs.getFileStatus(p).isFile()) {
                throw new GlimpseException(file + ": weights file not found");
            }
        } catch (IOException e) {
            throw new GlimpseException(file + ": cannot read the weights file (" + e.getMessage() + ")", e);
        }
    }
}

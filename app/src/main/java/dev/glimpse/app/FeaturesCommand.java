package dev.glimpse.app;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.Encoders;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.features.FeatureCache;
import dev.glimpse.common.features.FeatureCacheWriter;
import dev.glimpse.common.features.FeatureExtractor;
import dev.glimpse.common.features.ImageRef;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.datasets.ImageLists;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code glimpse features}: encodes a dataset's images once into a resumable feature cache. */
@Command(name = "features", mixinStandardHelpOptions = true,
        header = "Extract CNN image features into a cache folder (rerun to resume).",
        description = "Reads the image list from a COCO captions or VQA questions file, encodes every image"
                + " with the chosen network and stores pooled and grid features as float16.")
final class FeaturesCommand implements Callable<Integer> {
    static final int MAX_LISTED_FAILURES = 20;

    @Spec
    CommandSpec spec;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Folder the image file names are relative to.")
    Path images;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ImageList list;

    static final class ImageList {
        @Option(names = "--captions", paramLabel = "FILE", description = "COCO captions JSON (images[].id, file_name).")
        Path captions;

        @Option(names = "--questions", paramLabel = "FILE", description = "VQA questions JSON (questions[].image_id).")
        Path questions;
    }

    @Mixin
    EncoderOptions encoder;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "Images per forward pass (default 16).")
    int batch;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Cache folder (created, or resumed).")
    Path out;

    @Option(names = FeatureCache.REPAIR_OPTION, description = "Repair a damaged cache: verify every record, give up damaged"
            + " commit entries and records, and extract those images again (without it, damage is an error).")
    boolean repair;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        if (!Files.isDirectory(images)) {
            throw new GlimpseException(images + ": image folder not found");
        }
        List<ImageRef> refs = list.captions != null
                ? ImageLists.fromCocoCaptions(list.captions, images)
                : ImageLists.fromVqaQuestions(list.questions, images);
        if (refs.isEmpty()) {
            throw new GlimpseException((list.captions != null ? list.captions : list.questions) + ": lists no images");
        }
        if (!repair) {
            FeatureCacheWriter.requireIntactLog(out); // before the encoder's seconds of loading
        }
        FeatureExtractor.Options options = new FeatureExtractor.Options(batch, new ImageLoader(), System.err, repair);
        FeatureExtractor.Report report;
        try (ImageEncoder enc = Encoders.open(encoder.request())) {
            stderr.println("encoder: " + enc.info().describe());
            stderr.flush();
            report = FeatureExtractor.extract(refs, enc, out, options);
        }
        for (FeatureCacheWriter.Repair r : report.repaired()) {
            stderr.println("repaired slot " + r.slot() + (r.imageId() >= 0 ? " (image " + r.imageId() + ")" : "")
                    + ": " + r.reason());
        }
        int listed = 0;
        for (FeatureExtractor.Failure f : report.skipped()) {
            if (listed++ == MAX_LISTED_FAILURES) {
                stderr.println("... and " + (report.skipped().size() - MAX_LISTED_FAILURES) + " more skipped");
                break;
            }
            stderr.println("skipped image " + f.id() + ": " + f.reason());
        }
        stdout.printf("images: %d listed, %d already cached, %d encoded, %d skipped%n", report.requested(),
                report.alreadyCached(), report.encoded(), report.skipped().size());
        stdout.printf("speed: %.2f images/s%n", report.imagesPerSecond());
        stdout.printf("bytes per image: %d; cache %s: %.1f MB%n", report.bytesPerImage(), out,
                report.cacheBytes() / 1e6);
        return ExitCodes.OK;
    }
}

package dev.glimpse.app;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.Encoders;
import dev.glimpse.common.encoder.FineTune;
import dev.glimpse.common.encoder.TunableEncoder;
import dev.glimpse.common.encoder.TunedWeights;
import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.imageside.EncoderAccess;
import dev.glimpse.common.imageside.ImageSide;
import dev.glimpse.common.imageside.FineTuning;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.features.EncoderFeatureSource;
import dev.glimpse.common.features.FeatureCache;
import dev.glimpse.common.features.FeatureCoverage;
import dev.glimpse.common.features.FeatureExtractor;
import dev.glimpse.common.features.FeatureSource;
import dev.glimpse.common.features.ImageRef;
import dev.glimpse.common.features.InMemoryFeatures;
import dev.glimpse.common.image.ImageLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

/**
 * The raw image features a training run reads, the same way for both trainers: a feature cache made
 * by {@code glimpse features} ({@code --features}), one made now ({@code --cache-features}), or the
 * images encoded once and kept in memory (small data). Closing releases the cache or the encoder.
 */
final class TrainingFeatures implements AutoCloseable {
    private final FeatureSource source;
    private final AutoCloseable resource;
    private final Set<Long> usable;

    private TrainingFeatures(FeatureSource source, AutoCloseable resource, Set<Long> usable) {
        this.source = source;
        this.resource = resource;
        this.usable = usable;
    }

    FeatureSource source() {
        return source;
    }

    /** The images the run can use: all of them, unless --allow-missing let a cache lack some. */
    Set<Long> usable() {
        return usable;
    }

    /**
     * @param images   image id -> file of every image the run reads (train and validation)
     * @param withGrid keep the grids too (attention captioners)
     */
    static TrainingFeatures open(Path features, Path cacheFeatures, EncoderOptions encoder, Path encoderFrom, Map<Long, Path> images,
                                 boolean withGrid, double allowMissing, boolean quiet, PrintWriter log) {
        long[] ids = images.keySet().stream().mapToLong(Long::longValue).toArray();
        if (features != null && cacheFeatures != null) {
            throw new GlimpseException("--features reads an existing cache, --cache-features makes one: pick one");
        }
        if (encoderFrom != null) {
            if (features != null || cacheFeatures != null) {
                throw new GlimpseException("--encoder-from encodes the images with that model's encoder, in memory:"
                        + " it does not go with --features or --cache-features");
            }
            return fromModel(encoder, encoderFrom, images, ids, withGrid, quiet, log);
        }
        if (features != null) {
            FeatureCache cache = FeatureCache.open(features);
            try {
                FeatureCoverage coverage = FeatureCoverage.check(cache, ids, allowMissing, features.toString());
                if (coverage.missing().length > 0) {
                    log.println("features: " + coverage.summary(features.toString()) + "; training on the others ("
                            + FeatureCoverage.ALLOW_OPTION + " " + allowMissing + ")");
                }
                return new TrainingFeatures(cache, cache, ids(coverage.usable()));
            } catch (RuntimeException e) {
                cache.close();
                throw e;
            }
        }
        try (ImageEncoder enc = Encoders.open(encoder.request())) {
            log.println("encoder: " + enc.info().describe());
            if (cacheFeatures != null) {
                List<ImageRef> refs = new ArrayList<>();
                images.forEach((id, file) -> refs.add(new ImageRef(id, file)));
                FeatureExtractor.Report rep = FeatureExtractor.extract(refs, enc, cacheFeatures,
                        new FeatureExtractor.Options(16, new ImageLoader(), quiet ? null : System.err));
                if (!rep.skipped().isEmpty()) {
                    throw new GlimpseException(rep.skipped().get(0).file() + ": " + rep.skipped().get(0).reason()
                            + " (" + rep.skipped().size() + " images could not be encoded)");
                }
                FeatureCache cache = FeatureCache.open(cacheFeatures);
                return new TrainingFeatures(cache, cache, ids(ids));
            }
            // Small data: encode every image once, keep the features in memory for all epochs.
            InMemoryFeatures memory = InMemoryFeatures.extract(new EncoderFeatureSource(enc, images, new ImageLoader()),
                    ids, 16, withGrid, !quiet);
            return new TrainingFeatures(memory, null, ids(ids));
        }
    }

    /** Features through a trained model's encoder (its tuned parameters in place), encoded once and kept in memory. */
    private static TrainingFeatures fromModel(EncoderOptions encoder, Path from, Map<Long, Path> images, long[] ids, boolean withGrid,
                                              boolean quiet, PrintWriter log) {
        ImageSide side = imageSideOf(from);
        try (ImageEncoder enc = side.openRaw(new EncoderAccess(encoder.weights, true), from)) {
            log.println("encoder: from " + from + ": " + enc.info().describe()
                    + (side.tuned() == null ? "" : ", fine-tuned (" + side.tuned().mode() + ")"));
            InMemoryFeatures memory = InMemoryFeatures.extract(new EncoderFeatureSource(enc, images, new ImageLoader()),
                    ids, 16, withGrid, !quiet);
            return new TrainingFeatures(new ThroughTuned(memory, side.tuned()), null, ids(ids));
        }
    }

    /** The image side (encoder, tuned parameters) of the model {@code --encoder-from} names. */
    private static ImageSide imageSideOf(Path model) {
        ModelBundle bundle = ModelBundle.read(model);
        if (!ImageSide.present(bundle)) {
            throw new GlimpseException(model + ": the model has no image encoder (a question-only VQA model)");
        }
        return ImageSide.read(bundle, model);
    }

    /** Features that came through a fine-tuned encoder: says so, so the trained model records the tuned parameters. */
    private record ThroughTuned(FeatureSource features, TunedWeights tuned) implements FeatureSource {
        @Override
        public dev.glimpse.common.encoder.EncoderInfo info() {
            return features.info();
        }

        @Override
        public boolean contains(long imageId) {
            return features.contains(imageId);
        }

        @Override
        public org.nd4j.linalg.api.ndarray.INDArray pooled(long[] imageIds) {
            return features.pooled(imageIds);
        }

        @Override
        public org.nd4j.linalg.api.ndarray.INDArray grid(long[] imageIds) {
            return features.grid(imageIds);
        }
    }

    /**
     * For {@code --fine-tune}: the encoder cut at its split point, the frozen part run once over every
     * image into {@code splitCache} (or memory), and the fine-tuning setup the trainers take.
     */
    static FineTuned openFineTune(TrainingOptions training, EncoderOptions encoder, Map<Long, Path> images, PrintWriter log) {
        FineTune mode = training.fineTuneMode();
        double scale = training.encoderRateScale();
        long[] ids = images.keySet().stream().mapToLong(Long::longValue).toArray();
        TunableEncoder enc;
        if (training.encoderFrom != null) {
            // Continue tuning another model's encoder (e.g. the one a captioner fine-tuned): its tuned values first.
            ImageSide side = imageSideOf(training.encoderFrom);
            enc = TunableEncoder.open(side.encoder().request(encoder.weights, true), side.encoder().preprocess(), mode, side.tuned());
            log.println("encoder: from " + training.encoderFrom + (side.tuned() == null ? "" : ", fine-tuned (" + side.tuned().mode() + ")"));
        } else {
            enc = TunableEncoder.open(encoder.request(), null, mode);
        }
        try {
            int[] hwc = enc.splitShape();
            log.printf("fine-tune %s: %s trains after %s (%d of %d blocks before the grid), %,d parameters, encoder lr x%.3g;"
                            + " split activations %dx%dx%d = %.1f KB per image in float16%n", mode, enc.info().name(),
                    enc.split() == null ? "the image" : enc.split(), mode.all() ? enc.blocks() : Math.min(mode.blocks(), enc.blocks()),
                    enc.blocks(), enc.params().size(), scale, hwc[0], hwc[1], hwc[2], hwc[0] * hwc[1] * hwc[2] * 2 / 1024.0);
            FeatureSource split;
            AutoCloseable cache = null;
            try (ImageEncoder prefix = enc.prefix()) {
                if (training.splitCache != null) {
                    List<ImageRef> refs = new ArrayList<>();
                    images.forEach((id, file) -> refs.add(new ImageRef(id, file)));
                    FeatureExtractor.Report rep = FeatureExtractor.extract(refs, prefix, training.splitCache,
                            new FeatureExtractor.Options(16, new ImageLoader(), training.quiet ? null : System.err));
                    if (!rep.skipped().isEmpty()) {
                        throw new GlimpseException(rep.skipped().get(0).file() + ": " + rep.skipped().get(0).reason()
                                + " (" + rep.skipped().size() + " images could not be encoded)");
                    }
                    FeatureCache fc = FeatureCache.open(training.splitCache, prefix.info());
                    split = fc;
                    cache = fc;
                } else {
                    split = InMemoryFeatures.extract(new EncoderFeatureSource(prefix, images, new ImageLoader()), ids, 16, true,
                            !training.quiet);
                }
            }
            return new FineTuned(new FineTuning(enc, split, scale, training.initFrom), cache);
        } catch (RuntimeException e) {
            enc.close();
            throw e;
        }
    }

    /** The fine-tuning setup and what to close after the run. */
    record FineTuned(FineTuning setup, AutoCloseable cache) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (cache != null) {
                cache.close();
            }
            setup.encoder().close();
        }
    }

    private static Set<Long> ids(long[] ids) {
        Set<Long> s = new HashSet<>(ids.length * 2);
        for (long id : ids) {
            s.add(id);
        }
        return s;
    }

    /** For a worker that could not use the features it opened. */
    void closeQuietly() {
        try {
            close();
        } catch (Exception ignored) {
            // the worker's own failure is the one to report
        }
    }

    @Override
    public void close() throws Exception {
        if (resource != null) {
            resource.close();
        }
    }
}

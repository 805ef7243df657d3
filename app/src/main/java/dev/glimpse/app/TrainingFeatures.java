package dev.glimpse.app;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.Encoders;
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

    private TrainingFeatures(FeatureSource source, AutoCloseable resource) {
        this.source = source;
        this.resource = resource;
    }

    FeatureSource source() {
        return source;
    }

    /**
     * @param images   image id -> file of every image the run reads (train and validation)
     * @param withGrid keep the grids too (attention captioners)
     */
    static TrainingFeatures open(Path features, Path cacheFeatures, EncoderOptions encoder, Map<Long, Path> images,
                                 boolean withGrid, boolean quiet, PrintWriter log) {
        long[] ids = images.keySet().stream().mapToLong(Long::longValue).toArray();
        if (features != null && cacheFeatures != null) {
            throw new GlimpseException("--features reads an existing cache, --cache-features makes one: pick one");
        }
        if (features != null) {
            FeatureCache cache = FeatureCache.open(features);
            try {
                FeatureCoverage.requireAll(cache, ids, features.toString());
            } catch (RuntimeException e) {
                cache.close();
                throw e;
            }
            return new TrainingFeatures(cache, cache);
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
                return new TrainingFeatures(cache, cache);
            }
            // Small data: encode every image once, keep the features in memory for all epochs.
            InMemoryFeatures memory = InMemoryFeatures.extract(new EncoderFeatureSource(enc, images, new ImageLoader()),
                    ids, 16, withGrid, !quiet);
            return new TrainingFeatures(memory, null);
        }
    }

    @Override
    public void close() throws Exception {
        if (resource != null) {
            resource.close();
        }
    }
}

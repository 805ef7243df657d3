package dev.glimpse.common.features;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.encoder.EncodedBatch;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.encoder.ImageEncoder;
import dev.glimpse.common.image.ImageLoader;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Features computed on demand from image files, for runs without a cache. The last batch is
 * kept, so asking for {@code pooled(ids)} and then {@code grid(ids)} encodes once. Not thread-safe.
 */
public final class EncoderFeatureSource implements FeatureSource {
    private final ImageEncoder encoder;
    private final Map<Long, Path> files;
    private final ImageLoader loader;
    private long[] lastIds;
    private EncodedBatch last;

    public EncoderFeatureSource(ImageEncoder encoder, Map<Long, Path> files, ImageLoader loader) {
        this.encoder = encoder;
        this.files = Map.copyOf(files);
        this.loader = loader;
    }

    @Override
    public EncoderInfo info() {
        return encoder.info();
    }

    @Override
    public boolean contains(long imageId) {
        return files.containsKey(imageId);
    }

    @Override
    public INDArray pooled(long[] imageIds) {
        return encoded(imageIds).pooled();
    }

    @Override
    public INDArray grid(long[] imageIds) {
        return encoded(imageIds).grid();
    }

    private EncodedBatch encoded(long[] ids) {
        if (last != null && Arrays.equals(ids, lastIds)) {
            return last;
        }
        List<BufferedImage> images = new ArrayList<>(ids.length);
        for (long id : ids) {
            Path file = files.get(id);
            if (file == null) {
                throw new GlimpseException("image id " + id + " has no image file");
            }
            images.add(loader.load(file));
        }
        last = encoder.encode(images);
        lastIds = ids.clone();
        return last;
    }
}

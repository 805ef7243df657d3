package dev.glimpse.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.captioning.model.Caption;
import dev.glimpse.captioning.model.CaptionModel;
import dev.glimpse.captioning.model.Captioner;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.features.FeatureCache;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.io.AtomicFiles;
import dev.glimpse.common.io.Json;
import dev.glimpse.datasets.CaptionCorpus;
import dev.glimpse.datasets.CocoCaptionsReader;
import dev.glimpse.datasets.CocoImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Captions every image of a COCO captions file with a model, for {@code evaluate captions --model}. */
final class ModelCaptions {
    static final int CHUNK = 16;

    private ModelCaptions() {}

    static Map<Long, String> generate(Path model, Path references, Path images, Path features, DecodeOptions options,
                                      PrintWriter err) {
        Map<Long, String> out = new LinkedHashMap<>();
        int total;
        if (features != null) {
            // Only ids are needed here: image files may be absent when their features are cached.
            CaptionCorpus corpus = CocoCaptionsReader.read(references, features);
            total = corpus.images().size();
            try (FeatureCache cache = FeatureCache.open(features)) {
                Captioner captioner = Captioner.featuresOnly(CaptionModel.read(model), model);
                long[] ids = corpus.images().stream().mapToLong(CocoImage::id).filter(cache::contains).toArray();
                for (int from = 0; from < ids.length; from += 64) {
                    long[] part = Arrays.copyOfRange(ids, from, Math.min(ids.length, from + 64));
                    List<Caption> caps = captioner.caption(cache, part, options);
                    for (int i = 0; i < part.length; i++) {
                        out.put(part[i], caps.get(i).text());
                    }
                }
            }
        } else {
            CaptionCorpus corpus = CocoCaptionsReader.read(references, images);
            total = corpus.images().size();
            ImageLoader loader = new ImageLoader();
            List<CocoImage> present = corpus.presentImages();
            try (Captioner captioner = Captioner.open(model, dev.glimpse.common.imageside.EncoderAccess.NONE)) {
                for (int from = 0; from < present.size(); from += CHUNK) {
                    List<Long> ids = new ArrayList<>();
                    List<BufferedImage> loaded = new ArrayList<>();
                    for (CocoImage img : present.subList(from, Math.min(present.size(), from + CHUNK))) {
                        try {
                            loaded.add(loader.load(img.file()));
                            ids.add(img.id());
                        } catch (GlimpseException e) {
                            err.println("glimpse: skipped: " + e.getMessage());
                        }
                    }
                    if (!loaded.isEmpty()) {
                        List<Caption> caps = captioner.caption(loaded, options);
                        for (int i = 0; i < ids.size(); i++) {
                            out.put(ids.get(i), caps.get(i).text());
                        }
                    }
                }
            }
        }
        err.println("captioned " + out.size() + " of " + total + " reference images with " + model);
        if (out.isEmpty()) {
            throw new GlimpseException(references + ": no reference image could be captioned (check --images / --features)");
        }
        return out;
    }

    /** The results layout coco-caption reads: [{"image_id", "caption"}]. */
    static void writeResults(Path file, Map<Long, String> captions) throws IOException {
        ArrayNode arr = Json.MAPPER.createArrayNode();
        captions.forEach((id, c) -> arr.addObject().put("image_id", id).put("caption", c));
        byte[] bytes = Json.MAPPER.writeValueAsBytes(arr);
        AtomicFiles.write(file, o -> o.write(bytes));
    }
}

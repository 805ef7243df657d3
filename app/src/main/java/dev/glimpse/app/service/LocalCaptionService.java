package dev.glimpse.app.service;

import dev.glimpse.captioning.model.AttentionMapImage;
import dev.glimpse.captioning.model.Caption;
import dev.glimpse.captioning.model.CaptionModel;
import dev.glimpse.captioning.model.Captioner;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.nn.Bf16RowProduct;
import dev.glimpse.common.encoder.EncoderInfo;
import dev.glimpse.common.features.FeatureCache;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.imageside.EncoderAccess;
import dev.glimpse.datasets.CaptionCorpus;
import dev.glimpse.datasets.CocoCaptionsReader;
import dev.glimpse.datasets.CocoImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** The caption service over one model file: images in, {@link CaptionResult} out. */
public final class LocalCaptionService implements CaptionService {
    /** Images decoded and encoded together: enough to batch the encoder, few enough to bound memory. */
    static final int CHUNK = 16;
    /** Cached features decoded per batch when captioning a whole reference set. */
    static final int FEATURE_BATCH = 64;

    private final Path file;
    private final Captioner captioner;
    private final ImageLoader loader;

    private LocalCaptionService(Path file, Captioner captioner, ImageLoader loader) {
        this.file = file;
        this.captioner = captioner;
        this.loader = loader;
    }

    public static LocalCaptionService open(Path model, EncoderAccess access, ImageLoader loader) {
        return new LocalCaptionService(model, Captioner.open(model, access), loader);
    }

    /**
     * Greedy captions of one image at a time through bfloat16 copies of the decoder's weights (see
     * {@link Captioner#decodeInBf16}); returns whether this CPU does that natively, else it stays in float.
     */
    public boolean decodeInBf16(boolean on) {
        captioner.decodeInBf16(on);
        return on && Bf16RowProduct.supported();
    }

    /** The model file this service captions with. */
    public Path file() {
        return file;
    }

    public CaptionModel model() {
        return captioner.model();
    }

    @Override
    public CaptionResult caption(CaptionRequest request) {
        int n = request.images().size();
        CaptionResult.ImageCaption[] captions = new CaptionResult.ImageCaption[n];
        CaptionResult.ImageFailure[] failures = new CaptionResult.ImageFailure[n];
        caption(request.images(), request.settings(), request.attentionMaps(), captions, failures);
        return new CaptionResult(file.toString(), present(captions), present(failures));
    }

    /** Decodes the images together, chunk by chunk, as {@link #caption(CaptionRequest)} does. */
    @Override
    public List<CaptionResult> captionEach(List<ImageInput> images, CaptionSettings settings) {
        int n = images.size();
        CaptionResult.ImageCaption[] captions = new CaptionResult.ImageCaption[n];
        CaptionResult.ImageFailure[] failures = new CaptionResult.ImageFailure[n];
        caption(images, settings, null, captions, failures);
        List<CaptionResult> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new CaptionResult(file.toString(), present(new CaptionResult.ImageCaption[] {captions[i]}),
                    present(new CaptionResult.ImageFailure[] {failures[i]})));
        }
        return out;
    }

    /** Fills, per input index, its caption or the reason it could not be read. */
    private void caption(List<ImageInput> all, CaptionSettings settings, Function<ImageInput, Path> attentionMaps,
                         CaptionResult.ImageCaption[] captions, CaptionResult.ImageFailure[] failures) {
        CaptionModel m = captioner.model();
        if (attentionMaps != null && !m.net().attention()) {
            throw new GlimpseException(file + ": this model has no attention, so attention maps cannot be drawn");
        }
        for (int from = 0; from < all.size(); from += CHUNK) {
            List<Integer> index = new ArrayList<>();
            List<BufferedImage> images = new ArrayList<>();
            for (int i = from; i < Math.min(all.size(), from + CHUNK); i++) {
                ImageInput in = all.get(i);
                try {
                    images.add(in.load(loader));
                    index.add(i);
                } catch (GlimpseException e) {
                    failures[i] = new CaptionResult.ImageFailure(in.name(), oneLine(e.getMessage(), in.name()));
                }
            }
            if (images.isEmpty()) {
                continue;
            }
            List<Caption> decoded = captioner.caption(images, settings.decodeOptions());
            for (int j = 0; j < decoded.size(); j++) {
                ImageInput in = all.get(index.get(j));
                Path png = attentionMaps == null ? null : attentionMaps.apply(in);
                if (png != null) {
                    try {
                        AttentionMapImage.write(png, images.get(j), decoded.get(j),
                                m.imageSide().encoder().preprocess().resize());
                    } catch (IOException e) {
                        throw new UncheckedIOException(png + ": cannot write the attention map: " + e.getMessage(), e);
                    }
                }
                captions[index.get(j)] = result(in.name(), decoded.get(j), png);
            }
        }
    }

    private static <T> List<T> present(T[] slots) {
        return Arrays.stream(slots).filter(Objects::nonNull).toList();
    }

    static CaptionResult.ImageCaption result(String image, Caption c, Path png) {
        List<CaptionResult.Alternative> alts = c.alternatives().stream()
                .map(a -> new CaptionResult.Alternative(a.text(), a.score())).toList();
        CaptionResult.Attention attention = null;
        if (c.attention() != null) {
            List<CaptionResult.WordWeights> words = new ArrayList<>();
            for (int w = 0; w < c.tokens().size(); w++) {
                words.add(new CaptionResult.WordWeights(c.tokens().get(w), c.attention()[w]));
            }
            attention = new CaptionResult.Attention(c.gridRows(), c.gridCols(), words, png == null ? null : png.toString());
        }
        return new CaptionResult.ImageCaption(image, c.text(), c.score(), c.ended(), alts, attention);
    }

    /** The decoder's message names the file already; make sure it does if not, and keep one line. */
    static String oneLine(String message, String name) {
        String m = message == null ? "cannot read image" : message.lines().findFirst().orElse("");
        return m.contains(name) || m.contains(Path.of(name).getFileName().toString()) ? m : name + ": " + m;
    }

    /**
     * Captions every image of a COCO captions file (image id -> caption), from the image files or,
     * when {@code features} is given, from a feature cache of this model's encoder.
     */
    public Map<Long, String> captionReferences(Path references, Path images, Path features, CaptionSettings settings,
                                               PrintWriter err) {
        Map<Long, String> out = new LinkedHashMap<>();
        int total;
        if (features != null) {
            // Only ids are needed here: image files may be absent when their features are cached.
            CaptionCorpus corpus = CocoCaptionsReader.read(references, features);
            total = corpus.images().size();
            try (FeatureCache cache = FeatureCache.open(features)) {
                long[] ids = corpus.images().stream().mapToLong(CocoImage::id).filter(cache::contains).toArray();
                for (int from = 0; from < ids.length; from += FEATURE_BATCH) {
                    long[] part = Arrays.copyOfRange(ids, from, Math.min(ids.length, from + FEATURE_BATCH));
                    List<Caption> caps = captioner.caption(cache, part, settings.decodeOptions());
                    for (int i = 0; i < part.length; i++) {
                        out.put(part[i], caps.get(i).text());
                    }
                }
            }
        } else {
            CaptionCorpus corpus = CocoCaptionsReader.read(references, images);
            total = corpus.images().size();
            List<CocoImage> present = corpus.presentImages();
            CaptionResult r = caption(new CaptionRequest(present.stream().map(i -> ImageInput.file(i.file())).toList(),
                    settings));
            Map<String, Long> idOf = new LinkedHashMap<>();
            present.forEach(i -> idOf.put(i.file().toString(), i.id()));
            r.errors().forEach(f -> err.println("glimpse: skipped: " + f.error()));
            r.captions().forEach(c -> out.put(idOf.get(c.image()), c.caption()));
        }
        err.println("captioned " + out.size() + " of " + total + " reference images with " + file);
        if (out.isEmpty()) {
            throw new GlimpseException(references + ": no reference image could be captioned (check --images / --features)");
        }
        return out;
    }

    @Override
    public Map<String, Object> describe() {
        EncoderInfo enc = captioner.model().imageSide().encoder();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("file", file.toString());
        d.put("encoder", enc.name() + (enc.randomInit() ? " (random-init)" : ""));
        d.put("vocabulary", captioner.model().vocabulary().size());
        d.put("attention", captioner.model().net().attention());
        return d;
    }

    @Override
    public void close() {
        captioner.close();
    }
}

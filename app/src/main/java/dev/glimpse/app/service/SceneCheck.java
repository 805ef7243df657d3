package dev.glimpse.app.service;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.FitWindow;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.imageside.EncoderAccess;
import dev.glimpse.datasets.scenes.SceneImage;
import dev.glimpse.datasets.scenes.SceneObjectsReader;
import dev.glimpse.datasets.scenes.ShapeKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Checks that a captioner sees the object on the one-object scenes of a {@code glimpse scenes}
 * folder: greedy captions through the caption service (what {@code glimpse caption --beam 1}
 * prints), scored against the object's colour and shape words from {@code objects_<split>.json},
 * and the attention of those words measured inside the object's box.
 */
public final class SceneCheck {
    private SceneCheck() {}

    /** Opens the model, checks it on the split's one-object scenes and closes it: what the quick start prints. */
    public static SceneCheckResult run(Path model, EncoderAccess access, Path scenes, String split) {
        try (LocalCaptionService service = LocalCaptionService.open(model, access, new ImageLoader())) {
            return run(service, scenes, split);
        }
    }

    public static SceneCheckResult run(LocalCaptionService service, Path scenes, String split) {
        Path objectsFile = scenes.resolve("objects_" + split + ".json");
        if (!Files.isRegularFile(objectsFile)) {
            throw new GlimpseException(objectsFile + ": not found (write a scenes folder with `glimpse scenes`)");
        }
        Path imageDir = scenes.resolve("images").resolve(split);
        List<SceneImage> one = SceneObjectsReader.read(objectsFile).stream().filter(i -> i.objects().size() == 1).toList();
        List<ImageInput> inputs = new ArrayList<>();
        for (SceneImage img : one) {
            if (img.width() <= 0 || img.height() <= 0) {
                throw new GlimpseException(objectsFile + ": image " + img.id() + ": width and height must be positive");
            }
            inputs.add(ImageInput.file(imageDir.resolve(img.fileName())));
        }
        CaptionResult captioned = inputs.isEmpty() ? null
                : service.caption(new CaptionRequest(inputs, new CaptionSettings(1, CaptionSettings.DEFAULT_MAX_WORDS, 0)));
        if (captioned != null && !captioned.errors().isEmpty()) {
            throw new GlimpseException(captioned.errors().get(0).error());
        }
        PreprocessSpec.ResizeMode resize = service.model().imageSide().encoder().preprocess().resize();
        boolean attention = service.model().net().attention();
        Tally shapeTally = new Tally();
        Tally colorTally = new Tally();
        List<SceneCheckResult.Verdict> verdicts = new ArrayList<>();
        int right = 0;
        int colorNamed = 0;
        int shapeNamed = 0;
        for (int i = 0; i < one.size(); i++) {
            SceneImage img = one.get(i);
            SceneImage.Placed o = img.objects().get(0);
            CaptionResult.ImageCaption c = captioned.captions().get(i);
            List<String> tokens = tokens(c);
            int[] shapeAt = find(tokens, ShapeKind.captionWords(o.shape()));
            int[] colorAt = find(tokens, List.of(o.color()));
            Double shapeMass = null;
            Double colorMass = null;
            if (attention) {
                CaptionResult.Attention att = c.attention();
                // Boxes are in the objects file's width x height, the size the generator drew the image at.
                FitWindow window = resize.window(img.width(), img.height());
                double[] shares = BoxMass.cellShares(window, att.gridRows(), att.gridCols(), o.x(), o.y(), o.w(), o.h());
                shapeMass = shapeTally.add(att, shapeAt, shares);
                colorMass = colorTally.add(att, colorAt, shares);
            }
            colorNamed += colorAt != null ? 1 : 0;
            shapeNamed += shapeAt != null ? 1 : 0;
            right += colorAt != null && shapeAt != null ? 1 : 0;
            verdicts.add(new SceneCheckResult.Verdict(c.image(), o.color(), o.shape(), c.caption(), colorAt != null,
                    shapeAt != null, shapeMass, colorMass));
        }
        return new SceneCheckResult(service.file().toString(), objectsFile.toString(), split,
                one.size(), right, colorNamed, shapeNamed, attention ? shapeTally.result() : null,
                attention ? colorTally.result() : null, verdicts);
    }

    private static List<String> tokens(CaptionResult.ImageCaption c) {
        if (c.attention() != null) {
            return c.attention().words().stream().map(w -> w.word().toLowerCase(Locale.ROOT)).toList();
        }
        return c.caption().isBlank() ? List.of()
                : Arrays.stream(c.caption().toLowerCase(Locale.ROOT).split("\\s+")).toList();
    }

    /** Where the first of the phrases first occurs in the tokens: {start, length}, or null. */
    static int[] find(List<String> tokens, List<String> phrases) {
        int[] best = null;
        for (String p : phrases) {
            List<String> words = Arrays.stream(p.toLowerCase(Locale.ROOT).trim().split("\\s+")).toList();
            for (int s = 0; s + words.size() <= tokens.size(); s++) {
                if (tokens.subList(s, s + words.size()).equals(words)) {
                    if (best == null || s < best[0]) {
                        best = new int[] {s, words.size()};
                    }
                    break;
                }
            }
        }
        return best;
    }

    /** Sums one word's masses (a phrase's own mass is the mean over its tokens) and their uniform baselines. */
    private static final class Tally {
        double mass;
        double uniform;
        int count;

        Double add(CaptionResult.Attention att, int[] at, double[] shares) {
            if (at == null) {
                return null;
            }
            double m = 0;
            for (int t = at[0]; t < at[0] + at[1]; t++) {
                m += BoxMass.mass(att.words().get(t).weights(), shares);
            }
            m /= at[1];
            mass += m;
            uniform += BoxMass.uniform(shares);
            count++;
            return m;
        }

        SceneCheckResult.WordMass result() {
            return count == 0 ? new SceneCheckResult.WordMass(null, 0, null)
                    : new SceneCheckResult.WordMass(mass / count, count, uniform / count);
        }
    }
}

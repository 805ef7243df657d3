package dev.glimpse.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.captioning.decode.DecodeOptions;
import dev.glimpse.captioning.model.AttentionMapImage;
import dev.glimpse.captioning.model.Caption;
import dev.glimpse.captioning.model.Captioner;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.image.PreprocessSpec;
import dev.glimpse.common.io.Json;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code glimpse caption IMG|DIR...}: one caption per image with a trained model. */
@Command(name = "caption", mixinStandardHelpOptions = true,
        header = "Caption images with a trained model.",
        description = {"Prints one line per image: file<TAB>caption (or JSON with --json).",
                "An image that cannot be read is reported on stderr; the others are still",
                "captioned and the exit code is then 2."})
final class CaptionCommand implements Callable<Integer> {
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp");
    /** Images loaded and captioned together: enough to batch the encoder, few enough to bound memory. */
    static final int CHUNK = 16;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "IMG|DIR", description = "Image files, or folders of images.")
    List<Path> inputs;

    @Option(names = "--model", paramLabel = "FILE",
            description = "Model file (default: ~/.glimpse/models/captioner.zip).")
    Path model;

    @Option(names = "--beam", paramLabel = "K", defaultValue = "3", description = "Beam width; 1 = greedy (default: ${DEFAULT-VALUE}).")
    int beam;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "20", description = "At most N words per caption (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--length-alpha", paramLabel = "A", defaultValue = "0",
            description = "Length normalisation of beam scores: log p / length^A (default: ${DEFAULT-VALUE}).")
    double lengthAlpha;

    @Option(names = "--json", description = "Print JSON with scores, alternatives and attention weights.")
    boolean json;

    @Option(names = "--attention-map", paramLabel = "OUT.png",
            description = "Write a PNG with one attention heat map per word (OUT-<image>.png for several images).")
    Path attentionMap;

    static Path defaultModel() {
        return Path.of(System.getProperty("user.home"), ".glimpse", "models", "captioner.zip");
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        DecodeOptions options;
        try {
            options = new DecodeOptions(beam, maxLength + 1, lengthAlpha, true);
        } catch (IllegalArgumentException e) {
            throw new GlimpseException(e.getMessage().replace("max length", "--max-length") + " (--beam, --max-length)");
        }
        Path modelFile = model != null ? model : defaultModel();
        if (!Files.isRegularFile(modelFile)) {
            throw new GlimpseException(model != null ? modelFile + ": model file not found"
                    : "no captioning model at " + modelFile + ": train one with `glimpse train captioner ... --out "
                    + modelFile + "`, copy a trained model there, or pass --model FILE");
        }
        int failures = 0;
        List<Path> files = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                List<Path> found = imagesIn(p);
                if (found.isEmpty()) {
                    err.println("glimpse: " + p + ": no image files (" + String.join(", ", IMAGE_EXTENSIONS.stream().sorted().toList()) + ")");
                    failures++;
                }
                files.addAll(found);
            } else {
                files.add(p);
            }
        }
        ArrayNode jsonCaptions = Json.MAPPER.createArrayNode();
        ArrayNode jsonErrors = Json.MAPPER.createArrayNode();
        ImageLoader loader = new ImageLoader();
        try (Captioner captioner = Captioner.open(modelFile, dev.glimpse.common.imageside.EncoderAccess.NONE)) {
            if (attentionMap != null && !captioner.model().net().attention()) {
                throw new GlimpseException(modelFile + ": this model has no attention, so --attention-map cannot be drawn");
            }
            PreprocessSpec.ResizeMode resize = captioner.model().imageSide().encoder().preprocess().resize();
            for (int from = 0; from < files.size(); from += CHUNK) {
                List<Path> names = new ArrayList<>();
                List<BufferedImage> images = new ArrayList<>();
                for (Path f : files.subList(from, Math.min(files.size(), from + CHUNK))) {
                    try {
                        images.add(loader.load(f));
                        names.add(f);
                    } catch (GlimpseException e) {
                        err.println("glimpse: " + oneLine(e.getMessage(), f));
                        jsonErrors.addObject().put("file", f.toString()).put("error", e.getMessage());
                        failures++;
                    }
                }
                if (images.isEmpty()) {
                    continue;
                }
                List<Caption> captions = captioner.caption(images, options);
                for (int i = 0; i < captions.size(); i++) {
                    Caption c = captions.get(i);
                    Path png = attentionMap == null ? null : mapFile(names.get(i), files.size());
                    if (png != null) {
                        AttentionMapImage.write(png, images.get(i), c, resize);
                    }
                    if (json) {
                        jsonCaptions.add(toJson(names.get(i), c, png));
                    } else {
                        out.println(names.get(i) + "\t" + c.text());
                    }
                }
                out.flush();
            }
        }
        if (json) {
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.put("model", modelFile.toString());
            root.set("captions", jsonCaptions);
            root.set("errors", jsonErrors);
            out.println(Json.MAPPER.writeValueAsString(root));
        }
        return failures == 0 ? ExitCodes.OK : ExitCodes.INPUT;
    }

    /** The loader's message names the file already; make sure it does if not. */
    private static String oneLine(String message, Path file) {
        String m = message == null ? "cannot read image" : message.lines().findFirst().orElse("");
        return m.contains(file.toString()) || m.contains(file.getFileName().toString()) ? m : file + ": " + m;
    }

    private Path mapFile(Path image, int total) {
        if (total == 1) {
            return attentionMap;
        }
        String name = attentionMap.getFileName().toString();
        String stem = name.toLowerCase(Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
        String img = image.getFileName().toString();
        int dot = img.lastIndexOf('.');
        return attentionMap.resolveSibling(stem + "-" + (dot > 0 ? img.substring(0, dot) : img) + ".png");
    }

    static List<Path> imagesIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> {
                String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                int dot = n.lastIndexOf('.');
                return dot > 0 && IMAGE_EXTENSIONS.contains(n.substring(dot + 1));
            }).sorted().toList();
        }
    }

    private static ObjectNode toJson(Path file, Caption c, Path png) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("file", file.toString());
        o.put("caption", c.text());
        o.put("score", c.score());
        o.put("ended", c.ended());
        ArrayNode alts = o.putArray("alternatives");
        for (Caption.Alternative a : c.alternatives()) {
            alts.addObject().put("caption", a.text()).put("score", a.score());
        }
        if (c.attention() != null) {
            ObjectNode att = o.putObject("attention");
            att.put("grid_rows", c.gridRows());
            att.put("grid_cols", c.gridCols());
            ArrayNode words = att.putArray("words");
            for (int w = 0; w < c.tokens().size(); w++) {
                ObjectNode wo = words.addObject();
                wo.put("word", c.tokens().get(w));
                ArrayNode weights = wo.putArray("weights");
                for (float v : c.attention()[w]) {
                    weights.add(Math.round(v * 1e5) / 1e5);
                }
            }
            if (png != null) {
                att.put("map", png.toString());
            }
        }
        return o;
    }
}

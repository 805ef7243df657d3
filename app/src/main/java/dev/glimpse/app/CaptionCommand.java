package dev.glimpse.app;

import dev.glimpse.app.service.CaptionRequest;
import dev.glimpse.app.service.CaptionResult;
import dev.glimpse.app.service.CaptionSettings;
import dev.glimpse.app.service.ImageInput;
import dev.glimpse.app.service.LocalCaptionService;
import dev.glimpse.app.service.ModelFiles;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.io.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "IMG|DIR", description = "Image files, or folders of images.")
    List<Path> inputs;

    @Option(names = "--model", paramLabel = "FILE",
            description = "Model file (default: ~/.glimpse/models/captioner.zip).")
    Path model;

    @Option(names = "--beam", paramLabel = "K", defaultValue = "" + CaptionSettings.DEFAULT_BEAM,
            description = "Beam width, 1 = greedy, up to " + CaptionSettings.MAX_BEAM + " (default: ${DEFAULT-VALUE}).")
    int beam;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "" + CaptionSettings.DEFAULT_MAX_WORDS,
            description = "At most N words per caption (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--length-alpha", paramLabel = "A", defaultValue = "0",
            description = "Length normalisation of beam scores: log p / length^A (default: ${DEFAULT-VALUE}).")
    double lengthAlpha;

    @Option(names = "--json", description = "Print JSON with scores, alternatives and attention weights.")
    boolean json;

    @Option(names = "--attention-map", paramLabel = "OUT.png",
            description = "Write a PNG with one attention heat map per word (OUT-<image>.png for several images).")
    Path attentionMap;

    @Option(names = "--bf16", description = {"Greedy captions (--beam 1) of a single image stream the decoder's weights as",
            "bfloat16 where the CPU has AVX512_BF16: ~1.3x faster; a word may change where two are within",
            "bfloat16's rounding (3 of 300 validation captions in the README's check). Off by default."})
    boolean bf16;

    @Mixin
    EncoderAccessOptions encoderAccess;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CaptionSettings settings = new CaptionSettings(beam, maxLength, lengthAlpha);
        Path modelFile = ModelFiles.require(model, ModelFiles.captioner(), "glimpse train captioner ...");
        int failures = 0;
        List<ImageInput> images = new ArrayList<>();
        for (Path p : inputs) {
            if (Files.isDirectory(p)) {
                List<Path> found = imagesIn(p);
                if (found.isEmpty()) {
                    err.println("glimpse: " + p + ": no image files (" + String.join(", ", IMAGE_EXTENSIONS.stream().sorted().toList()) + ")");
                    failures++;
                }
                found.forEach(f -> images.add(ImageInput.file(f)));
            } else {
                images.add(ImageInput.file(p));
            }
        }
        Function<ImageInput, Path> maps = attentionMap == null ? null : in -> mapFile(in.file(), images.size());
        CaptionResult result;
        try (LocalCaptionService service = LocalCaptionService.open(modelFile, encoderAccess.access(), new ImageLoader())) {
            if (bf16 && !service.decodeInBf16(true)) {
                err.println("glimpse: --bf16: this CPU has no AVX512_BF16; decoding in float");
            }
            result = service.caption(new CaptionRequest(images, settings, maps));
        }
        for (CaptionResult.ImageFailure f : result.errors()) {
            err.println("glimpse: " + f.error());
        }
        failures += result.errors().size();
        if (json) {
            out.println(Json.MAPPER.writeValueAsString(result));
        } else {
            result.captions().forEach(c -> out.println(c.image() + "\t" + c.caption()));
        }
        out.flush();
        return failures == 0 ? ExitCodes.OK : ExitCodes.INPUT;
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
}

package dev.glimpse.app;

import dev.glimpse.app.service.LocalCaptionService;
import dev.glimpse.app.service.ModelFiles;
import dev.glimpse.app.service.SceneCheck;
import dev.glimpse.app.service.SceneCheckResult;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.io.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code glimpse evaluate scenes}: does a captioner see the object? Colour/shape naming and attention in its box. */
@Command(name = "scenes", mixinStandardHelpOptions = true,
        header = "Check a captioner on the one-object scenes of a 'glimpse scenes' folder.",
        description = "Captions every one-object scene of the split greedily (as 'glimpse caption --beam 1'), counts"
                + " the captions that name the object's colour and shape (objects_SPLIT.json), and measures the"
                + " attention of those words inside the object's box: the grid laid over the image as the encoder"
                + " sees it, each cell weighted by the share of its area in the box, averaged over the captions"
                + " that generated the word.")
final class EvaluateScenesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", description = "Captioner (default: ~/.glimpse/models/captioner.zip).")
    Path model;

    @Option(names = "--scenes", required = true, paramLabel = "DIR", description = "A folder written by 'glimpse scenes'.")
    Path scenes;

    @Option(names = "--split", defaultValue = "val", paramLabel = "train|val",
            description = "Which split's scenes (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--json", description = "Print JSON with every scene's caption and verdict.")
    boolean json;

    @Mixin
    EncoderAccessOptions encoderAccess;

    @Override
    public Integer call() throws Exception {
        if (!split.equals("train") && !split.equals("val")) {
            throw new dev.glimpse.common.GlimpseException("--split: must be train or val, got '" + split + "'");
        }
        Path file = ModelFiles.require(model, ModelFiles.captioner(), "glimpse train captioner ...");
        SceneCheckResult r;
        try (LocalCaptionService service = LocalCaptionService.open(file, encoderAccess.access(), new ImageLoader())) {
            r = SceneCheck.run(service, scenes, split);
        }
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            w.println(Json.MAPPER.writeValueAsString(r));
        } else {
            print(r, w);
        }
        w.flush();
        return ExitCodes.OK;
    }

    private static void print(SceneCheckResult r, PrintWriter w) {
        w.println(r.summary());
        if (r.scenes() == 0) {
            return;
        }
        w.printf(Locale.ROOT, "  greedy captions of %s naming the colour %d/%d, the shape %d/%d, both %d/%d%n",
                r.objects(), r.colorNamed(), r.scenes(), r.shapeNamed(), r.scenes(), r.right(), r.scenes());
        if (r.shapeWord() != null) {
            mass(w, "shape", r.shapeWord());
            mass(w, "colour", r.colorWord());
        }
    }

    private static void mass(PrintWriter w, String word, SceneCheckResult.WordMass m) {
        if (m.mean() == null) {
            w.printf("  %s word: never generated%n", word);
        } else {
            w.printf(Locale.ROOT, "  %s word: attention mass in the box %.3f over %d captions (uniform attention: %.3f)%n",
                    word, m.mean(), m.captions(), m.uniform());
        }
    }
}

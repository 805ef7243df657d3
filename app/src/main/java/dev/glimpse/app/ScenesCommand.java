package dev.glimpse.app;

import dev.glimpse.datasets.scenes.SceneGenerator;
import dev.glimpse.datasets.scenes.SceneSplit;
import dev.glimpse.datasets.scenes.SceneSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code glimpse scenes}: writes the synthetic shapes data set used by the demo and end-to-end tests. */
@Command(name = "scenes", mixinStandardHelpOptions = true,
        header = "Generate a synthetic captioning + VQA data set of coloured shapes.",
        description = {"Writes images/{train,val}/*.png, captions_{train,val}.json (COCO captions),",
            "vqa_questions_{train,val}.json + vqa_annotations_{train,val}.json (VQA v2) and",
            "objects_{train,val}.json (shapes, colours, bounding boxes). Same seed, same bytes."})
final class ScenesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--train", required = true, paramLabel = "N", description = "Number of training images.")
    int train;

    @Option(names = "--val", required = true, paramLabel = "N", description = "Number of validation images.")
    int val;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--size", paramLabel = "PX", defaultValue = "" + SceneGenerator.DEFAULT_SIZE,
            description = "Image side in pixels, 32..1024 (default: ${DEFAULT-VALUE}).")
    int size;

    @Override
    public Integer call() {
        SceneSummary s = SceneGenerator.generate(out, train, val, seed, size);
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf("wrote %d+%d scenes of %dx%d px (seed %d) to %s in %.1f s%n", s.train().images(), s.val().images(),
                s.size(), s.size(), s.seed(), s.out(), s.millis() / 1000.0);
        for (SceneSplit split : new SceneSplit[] {s.train(), s.val()}) {
            pw.printf("  %-5s %6d images   %s%n", split.split(), split.images(), split.imageDir());
            pw.printf("        %6d captions  %s%n", split.captionCount(), split.captions());
            pw.printf("        %6d questions %s%n", split.questionCount(), split.questions());
            pw.printf("                         %s%n", split.annotations());
            pw.printf("                         %s%n", split.objects());
        }
        pw.flush();
        return ExitCodes.OK;
    }
}

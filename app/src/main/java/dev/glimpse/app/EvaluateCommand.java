package dev.glimpse.app;

import dev.glimpse.app.service.CaptionSettings;
import dev.glimpse.app.service.LocalCaptionService;
import dev.glimpse.app.service.ModelFiles;
import dev.glimpse.captioning.eval.CaptionEvaluator;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.captioning.eval.CocoCaptionJson;
import dev.glimpse.captioning.eval.EvaluationReport;
import dev.glimpse.captioning.eval.Meteor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code glimpse evaluate}: one subcommand per task; alone it prints usage. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Score model outputs with the standard metrics.",
        subcommands = {
                EvaluateCommand.Captions.class,
                EvaluateVqaCommand.class,
                EvaluateScenesCommand.class,
        })
final class EvaluateCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.OK;
    }

    /**
     * {@code glimpse evaluate captions}: coco-caption's scores of a results file, or of captions a
     * model generates for the reference images ({@code --model}); both feed the same scoring step.
     */
    @Command(name = "captions", mixinStandardHelpOptions = true,
            header = "Score captions as coco-caption (pycocoevalcap) does.",
            description = "Tokenizes with Stanford CoreNLP 3.4.1's PTBTokenizer and computes BLEU-1..4, ROUGE-L"
                    + " and CIDEr-D exactly as coco-caption; METEOR only with --meteor-jar. Scores use"
                    + " coco-caption's 0-1 scale (CIDEr-D 0-10), not percentages.")
    static final class Captions implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        static final class Source {
            @Option(names = "--results", paramLabel = "RES.json",
                    description = "Results: a JSON array of {\"image_id\", \"caption\"}, one per image.")
            Path results;

            @Option(names = "--model", paramLabel = "FILE",
                    description = "Caption the reference images with this model first (needs --images or --features).")
            Path model;
        }

        @Option(names = "--images", paramLabel = "DIR", description = "With --model: folder of the reference images.")
        Path images;

        @Option(names = "--features", paramLabel = "DIR",
                description = "With --model: feature cache of the reference images (instead of --images).")
        Path features;

        @Option(names = "--beam", paramLabel = "K", defaultValue = "" + CaptionSettings.DEFAULT_BEAM,
                description = "With --model: beam width (default: ${DEFAULT-VALUE}).")
        int beam;

        @Option(names = "--max-length", paramLabel = "N", defaultValue = "" + CaptionSettings.DEFAULT_MAX_WORDS,
                description = "With --model: at most N words (default: ${DEFAULT-VALUE}).")
        int maxLength;

        @CommandLine.Mixin
        EncoderAccessOptions encoderAccess;

        @Option(names = "--save-results", paramLabel = "RES.json", description = "With --model: also write the generated captions.")
        Path saveResults;

        @Option(names = "--references", required = true, paramLabel = "CAPTIONS.json",
                description = "Reference captions in COCO captions format, e.g. captions_val2017.json.")
        Path references;

        @Option(names = "--out", paramLabel = "SCORES.json",
                description = "Write the overall and per-image scores here (JSON).")
        Path out;

        @Option(names = "--meteor-jar", paramLabel = "JAR",
                description = "METEOR 1.5 jar (with its data/ beside it) to also compute METEOR.")
        Path meteorJar;

        @Override
        public Integer call() throws Exception {
            PrintWriter w = spec.commandLine().getOut();
            Map<Long, List<String>> refs = CocoCaptionJson.readReferences(references);
            Map<Long, String> candidates = candidates(refs);
            EvaluationReport report;
            if (meteorJar != null) {
                try (Meteor meteor = Meteor.start(meteorJar)) {
                    report = CaptionEvaluator.evaluate(refs, candidates, meteor);
                }
            } else {
                report = CaptionEvaluator.evaluate(refs, candidates);
            }
            print(report, w);
            if (out != null) {
                report.write(out);
                w.println("Per-image scores written to " + out);
            }
            return ExitCodes.OK;
        }

        private Map<Long, String> candidates(Map<Long, List<String>> refs) throws java.io.IOException {
            if (source.results != null) {
                return CocoCaptionJson.readResults(source.results, refs, references.toString());
            }
            if ((images == null) == (features == null)) {
                throw new dev.glimpse.common.GlimpseException("evaluate captions: --model needs either --images DIR or --features DIR");
            }
            CaptionSettings settings = new CaptionSettings(beam, maxLength, 0);
            Path model = ModelFiles.require(source.model, ModelFiles.captioner(), "glimpse train captioner ...");
            Map<Long, String> generated;
            try (LocalCaptionService service = LocalCaptionService.open(model, encoderAccess.access(), new ImageLoader())) {
                generated = service.captionReferences(references, images, features, settings, spec.commandLine().getErr());
            }
            if (saveResults != null) {
                CocoCaptionJson.writeResults(saveResults, generated);
            }
            return generated;
        }

        static void print(EvaluationReport report, PrintWriter w) {
            w.println("Caption scores, coco-caption scale 0-1 (CIDEr-D 0-10); " + report.coverage());
            row(w, "BLEU-1", report, EvaluationReport.BLEU_1);
            row(w, "BLEU-2", report, EvaluationReport.BLEU_2);
            row(w, "BLEU-3", report, EvaluationReport.BLEU_3);
            row(w, "BLEU-4", report, EvaluationReport.BLEU_4);
            if (report.has(EvaluationReport.METEOR)) {
                row(w, "METEOR", report, EvaluationReport.METEOR);
            } else {
                w.println("  METEOR: unavailable (pass --meteor-jar)");
            }
            row(w, "ROUGE-L", report, EvaluationReport.ROUGE_L);
            row(w, "CIDEr-D", report, EvaluationReport.CIDER_D);
            w.println("  SPICE: unavailable");
        }

        private static void row(PrintWriter w, String label, EvaluationReport report, String metric) {
            w.printf("  %-9s %.4f%n", label + ":", report.score(metric));
        }
    }
}

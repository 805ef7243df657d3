package dev.glimpse.app;

import dev.glimpse.app.service.LocalVqaService;
import dev.glimpse.app.service.ModelFiles;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.io.AtomicFiles;
import dev.glimpse.common.io.Json;
import dev.glimpse.vqa.eval.VqaEvaluationFiles;
import dev.glimpse.vqa.eval.VqaResultsFile;
import dev.glimpse.vqa.eval.VqaScores;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code glimpse evaluate vqa}: the official VQA accuracy of a results file. */
@Command(name = "vqa", mixinStandardHelpOptions = true,
        header = "Score VQA answers with the official VQA accuracy.",
        description = {"Results: a JSON array of {\"question_id\", \"answer\"}, one per annotated question,",
                "or --model M --images DIR to answer the questions with a model first.",
                "Prints overall, per answer type and per question type accuracy (0-100, 2 decimals),",
                "the numbers GT-Vision-Lab/VQA's vqaEval.py reports."})
public final class EvaluateVqaCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
        @Option(names = "--results", paramLabel = "RES.json", description = "Answers to score.")
        Path results;

        @Option(names = "--model", paramLabel = "FILE",
                description = "Answer the questions with this model first (needs --images).")
        Path model;
    }

    @Option(names = "--images", paramLabel = "DIR", description = "With --model: folder of the questions' images.")
    Path images;

    @Option(names = "--save-results", paramLabel = "RES.json", description = "With --model: also write the answers.")
    Path saveResults;

    @Mixin
    EncoderAccessOptions encoderAccess;

    @Option(names = "--questions", required = true, paramLabel = "Q.json", description = "VQA questions file.")
    Path questions;

    @Option(names = "--annotations", required = true, paramLabel = "A.json", description = "VQA annotations file.")
    Path annotations;

    @Option(names = "--out", paramLabel = "REPORT.json",
            description = "Also write the scores with every question's accuracy as JSON.")
    Path out;

    @Override
    public Integer call() throws Exception {
        VqaScores scores;
        if (source.model != null) {
            if (images == null) {
                throw new GlimpseException("evaluate vqa: --model needs --images DIR");
            }
            Path model = ModelFiles.require(source.model, ModelFiles.vqa(), "glimpse train vqa ...");
            Map<Long, String> answers;
            try (LocalVqaService service = LocalVqaService.open(model, encoderAccess.access(), new ImageLoader())) {
                answers = service.answerFile(questions, images, spec.commandLine().getErr());
            }
            if (saveResults != null) {
                VqaResultsFile.write(saveResults, answers);
            }
            scores = VqaEvaluationFiles.evaluate(answers, "answers of " + model.getFileName(), questions, annotations);
        } else {
            scores = VqaEvaluationFiles.evaluate(source.results, questions, annotations);
        }
        PrintWriter w = spec.commandLine().getOut();
        w.printf("VQA accuracy: %.2f (%d questions, %s)%n", scores.overall(), scores.scored(),
                annotations.getFileName());
        printGroup(w, "per answer type", scores.perAnswerType());
        printGroup(w, "per question type", scores.perQuestionType());
        if (out != null) {
            byte[] json = Json.MAPPER.writeValueAsBytes(scores);
            AtomicFiles.write(out, o -> o.write(json));
            w.println("wrote " + out);
        }
        w.flush();
        return ExitCodes.OK;
    }

    private static void printGroup(PrintWriter w, String title, Map<String, Double> scores) {
        w.println(title + ":");
        int width = scores.keySet().stream().mapToInt(String::length).max().orElse(0);
        scores.forEach((k, v) -> w.printf("  %-" + width + "s  %6.2f%n", k, v));
    }
}

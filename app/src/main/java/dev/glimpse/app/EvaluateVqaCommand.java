package dev.glimpse.app;

import dev.glimpse.common.io.AtomicFiles;
import dev.glimpse.common.io.Json;
import dev.glimpse.vqa.eval.VqaEvaluationFiles;
import dev.glimpse.vqa.eval.VqaScores;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code glimpse evaluate vqa}: the official VQA accuracy of a results file. */
@Command(name = "vqa", mixinStandardHelpOptions = true,
        header = "Score VQA answers with the official VQA accuracy.",
        description = {"Results: a JSON array of {\"question_id\", \"answer\"}, one per annotated question.",
                "Prints overall, per answer type and per question type accuracy (0-100, 2 decimals),",
                "the numbers GT-Vision-Lab/VQA's vqaEval.py reports."})
public final class EvaluateVqaCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--results", required = true, paramLabel = "RES.json", description = "Answers to score.")
    Path results;

    @Option(names = "--questions", required = true, paramLabel = "Q.json", description = "VQA questions file.")
    Path questions;

    @Option(names = "--annotations", required = true, paramLabel = "A.json", description = "VQA annotations file.")
    Path annotations;

    @Option(names = "--out", paramLabel = "REPORT.json",
            description = "Also write the scores with every question's accuracy as JSON.")
    Path out;

    @Override
    public Integer call() throws Exception {
        VqaScores scores = VqaEvaluationFiles.evaluate(results, questions, annotations);
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

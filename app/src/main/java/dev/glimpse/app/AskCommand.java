package dev.glimpse.app;

import dev.glimpse.app.service.AskRequest;
import dev.glimpse.app.service.AskResult;
import dev.glimpse.app.service.ImageInput;
import dev.glimpse.app.service.LocalVqaService;
import dev.glimpse.app.service.ModelFiles;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.io.Json;
import dev.glimpse.vqa.eval.VqaResultsFile;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code glimpse ask IMG "QUESTION"}: the most probable answers of a VQA model; or every question of a file. */
@Command(name = "ask", mixinStandardHelpOptions = true,
        header = "Answer a question about an image, or every question of a VQA questions file.",
        description = {"glimpse ask IMAGE \"QUESTION\": prints the most probable answers with their probabilities.",
                "glimpse ask --questions Q.json --images DIR --out RES.json: answers every question in one",
                "process and writes VQA results JSON ([{\"question_id\", \"answer\"}]) for glimpse evaluate vqa."})
public final class AskCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "IMAGE", description = "Image file (JPEG, PNG, GIF, BMP, TIFF, WebP).")
    Path image;

    @Parameters(index = "1", arity = "0..1", paramLabel = "QUESTION", description = "The question, quoted.")
    String question;

    @Option(names = "--model", paramLabel = "FILE", description = "VQA model file (default: ~/.glimpse/models/vqa.zip).")
    Path model;

    @Option(names = "--top", paramLabel = "K", defaultValue = "" + AskRequest.DEFAULT_TOP,
            description = "How many answers, up to " + AskRequest.MAX_TOP + " (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--questions", paramLabel = "Q.json", description = "Answer every question of this VQA questions file.")
    Path questions;

    @Option(names = "--images", paramLabel = "DIR", description = "With --questions: the folder of its images.")
    Path images;

    @Option(names = "--out", paramLabel = "RES.json", description = "With --questions: where to write the results.")
    Path out;

    @Mixin
    EncoderAccessOptions encoderAccess;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        if (questions != null) {
            if (image != null || images == null || out == null) {
                throw new GlimpseException("ask --questions Q.json needs --images DIR and --out RES.json, and no IMAGE argument");
            }
            Path modelFile = ModelFiles.require(model, ModelFiles.vqa(), "glimpse train vqa ...");
            Map<Long, String> answers;
            try (LocalVqaService service = LocalVqaService.open(modelFile, encoderAccess.access(), new ImageLoader())) {
                answers = service.answerFile(questions, images, spec.commandLine().getErr());
            }
            VqaResultsFile.write(out, answers);
            w.println("wrote " + answers.size() + " answers to " + out + " (score with glimpse evaluate vqa --results " + out + " ...)");
            w.flush();
            return ExitCodes.OK;
        }
        if (image == null || question == null) {
            throw new GlimpseException("ask needs IMAGE and \"QUESTION\" (or --questions Q.json --images DIR --out RES.json)");
        }
        AskRequest request = new AskRequest(ImageInput.file(image), question, top);
        Path modelFile = ModelFiles.require(model, ModelFiles.vqa(), "glimpse train vqa ...");
        AskResult result;
        try (LocalVqaService service = LocalVqaService.open(modelFile, encoderAccess.access(), new ImageLoader())) {
            result = service.ask(request);
        }
        if (json) {
            w.println(Json.MAPPER.writeValueAsString(result));
        } else {
            int width = result.answers().stream().mapToInt(a -> a.answer().length()).max().orElse(0);
            for (AskResult.Answer a : result.answers()) {
                w.printf("%-" + width + "s  %.3f%n", a.answer(), a.probability());
            }
        }
        w.flush();
        return ExitCodes.OK;
    }
}

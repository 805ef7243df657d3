package dev.glimpse.app;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.image.ImageLoader;
import dev.glimpse.common.io.Json;
import dev.glimpse.vqa.ScoredAnswer;
import dev.glimpse.vqa.VqaPredictor;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code glimpse ask IMG "QUESTION"}: the most probable answers of a VQA model. */
@Command(name = "ask", mixinStandardHelpOptions = true,
        header = "Answer a question about an image.",
        description = "Prints the most probable answers with their probabilities.")
public final class AskCommand implements Callable<Integer> {
    static final Path DEFAULT_MODEL = Path.of(System.getProperty("user.home"), ".glimpse", "models", "vqa.zip");

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image file (JPEG, PNG, GIF, BMP, TIFF).")
    Path image;

    @Parameters(index = "1", paramLabel = "QUESTION", description = "The question, quoted.")
    String question;

    @Option(names = "--model", paramLabel = "FILE", description = "VQA model file (default: ${DEFAULT-VALUE}).")
    Path model = DEFAULT_MODEL;

    @Option(names = "--top", paramLabel = "K", defaultValue = "3", description = "How many answers (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = "--encoder-weights", paramLabel = "FILE",
            description = "The encoder weights file, if the model was trained on features of a local weights file.")
    Path encoderWeights;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(model)) {
            throw new GlimpseException(model.equals(DEFAULT_MODEL)
                    ? "no VQA model at " + model + ": train one with 'glimpse train vqa ... --out " + model
                            + "' or pass --model FILE"
                    : model + ": model file not found");
        }
        if (top < 1) {
            throw new GlimpseException("--top must be at least 1, got " + top);
        }
        List<ScoredAnswer> answers;
        try (VqaPredictor predictor = VqaPredictor.open(model, new dev.glimpse.common.imageside.EncoderAccess(encoderWeights, false))) {
            predictor.model().questions().encode(question); // a bad question fails before the image is read
            BufferedImage img = new ImageLoader().load(image);
            answers = predictor.answer(img, question, top);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = Json.MAPPER.createObjectNode();
            root.put("image", image.toString());
            root.put("question", question);
            root.put("model", model.toString());
            ArrayNode arr = root.putArray("answers");
            for (ScoredAnswer a : answers) {
                arr.addObject().put("answer", a.answer()).put("probability", a.probability());
            }
            out.println(Json.MAPPER.writeValueAsString(root));
        } else {
            int width = answers.stream().mapToInt(a -> a.answer().length()).max().orElse(0);
            for (ScoredAnswer a : answers) {
                out.printf("%-" + width + "s  %.3f%n", a.answer(), a.probability());
            }
        }
        out.flush();
        return ExitCodes.OK;
    }
}

package dev.glimpse.app;

import dev.glimpse.common.bundle.ModelBundle;
import dev.glimpse.common.train.TrainingLoop;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;

/**
 * The train commands for glimpse-spark: the CLI's own {@code train captioner} and {@code train vqa}
 * (options, defaults, checks, output, model files), with the step gradients coming from a cluster's
 * workers, and the task a worker makes from the same command line.
 */
public final class DistributedTraining {
    /** The models that train across workers, by their command names. */
    public static final List<String> MODELS = List.of("captioner", "vqa");

    private DistributedTraining() {}

    /** A train command whose steps can come from elsewhere. */
    interface Distributable {
        void gradients(TrainingLoop.GradientsFactory gradients);

        Worker worker(ModelBundle start, Path startFile, PrintWriter log);
    }

    /** A worker's task and what it holds open (the feature cache; null if nothing). */
    public record Worker(TrainingLoop.Task task, AutoCloseable resources) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            if (resources != null) {
                resources.close();
            }
        }
    }

    /**
     * The CLI's {@code train MODEL} command, its step gradients from {@code gradients}. It then needs a
     * feature cache ({@code --features}; VQA also takes {@code --question-only}): workers read the
     * features themselves, they are never sent.
     */
    public static CommandLine command(String model, TrainingLoop.GradientsFactory gradients) {
        Distributable cmd = switch (model) {
            case "captioner" -> new TrainCaptionerCommand();
            case "vqa" -> new TrainVqaCommand();
            default -> throw new IllegalArgumentException("no model " + model + " to train; one of " + MODELS);
        };
        cmd.gradients(gradients);
        return new CommandLine(cmd);
    }

    /**
     * A worker's task, as the driver's command makes it: {@code parsed} is a {@link #command} after
     * {@code parseArgs} with the driver's arguments, {@code start} the driver's model (vocabularies,
     * image statistics), written to {@code startFile}.
     */
    public static Worker worker(CommandLine parsed, ModelBundle start, Path startFile, PrintWriter log) {
        return ((Distributable) parsed.getCommand()).worker(start, startFile, log);
    }
}

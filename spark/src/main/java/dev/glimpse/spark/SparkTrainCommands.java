package dev.glimpse.spark;

import dev.glimpse.app.DistributedTraining;
import dev.glimpse.common.train.TrainingLoop;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code train captioner} and {@code train vqa} on Spark: the CLI's own commands (every option,
 * default, check, output line and file), plus {@link SparkTrainOptions}, with each step's gradients
 * computed by Spark tasks ({@link SparkTraining}).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        header = "Train a captioner or a VQA model on a Spark cluster (synchronous data parallelism).",
        description = "The options of `glimpse train captioner|vqa` plus --partitions. Needs a feature cache"
                + " (--features DIR) at the same path on the driver and every executor.")
final class SparkTrainCommands implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return SparkMain.OK;
    }

    /** The CLI's command of {@code model} with the Spark options mixed in; steps from {@code gradients}. */
    static CommandLine command(String model, TrainingLoop.GradientsFactory gradients, SparkTrainOptions options) {
        CommandLine cl = DistributedTraining.command(model, gradients);
        cl.addMixin("spark", options);
        return cl;
    }

    /**
     * The {@code train} command with both models. {@code args} is the whole command line: a model's
     * arguments (after {@code train MODEL}) go to the workers as they are. {@code made} receives the
     * runs' Spark sides, for their step figures.
     */
    static CommandLine create(Supplier<JavaSparkContext> context, String[] args, BeforeSlice beforeSlice,
                              List<SparkTraining> made) {
        CommandLine train = new CommandLine(new SparkTrainCommands());
        String[] modelArgs = args.length > 2 ? Arrays.copyOfRange(args, 2, args.length) : new String[0];
        for (String model : DistributedTraining.MODELS) {
            SparkTrainOptions options = new SparkTrainOptions();
            SparkTraining training = new SparkTraining(context, model, modelArgs, options, beforeSlice);
            made.add(training);
            train.addSubcommand(model, command(model, training, options));
        }
        return train;
    }
}

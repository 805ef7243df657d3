package dev.glimpse.app;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code glimpse train <model>}: one subcommand per kind of model. */
@Command(name = "train", mixinStandardHelpOptions = true, header = "Train a model.",
        subcommands = {TrainCaptionerCommand.class, TrainVqaCommand.class})
final class TrainCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.OK;
    }
}

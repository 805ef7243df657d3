package dev.glimpse.common.train;

import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on stderr with rate and ETA (me.tongfei:progressbar), shared by every long task. */
public final class Progress {
    private Progress() {}

    public static ProgressBar bar(String task, long total, String unit) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000)
                .setUnit(" " + unit, 1).showSpeed().setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS)
                .setEtaFunction(state -> state.getMax() <= 0 || state.getCurrent() <= 0
                        ? java.util.Optional.empty()
                        : java.util.Optional.of(Duration.ofMillis((long) (
                                (double) java.time.Duration.between(state.getStartInstant(), java.time.Instant.now()).toMillis()
                                        / state.getCurrent() * (state.getMax() - state.getCurrent())))))
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .build();
    }
}

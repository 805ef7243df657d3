package dev.glimpse.common.train;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.glimpse.common.GlimpseException;
import java.util.Locale;

/**
 * How the learning rate moves over a run, one typed value for both trainers:
 * {@link Constant}, {@link Step} (the base rate for {@code decayAfter} epochs, then multiplied by
 * {@code factor} every {@code every} epochs, as the VQA LSTM baselines and Show-and-Tell do) or
 * {@link Plateau} (multiplied by {@code factor} whenever the validation score has not improved for
 * {@code patience} epochs).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({@JsonSubTypes.Type(value = LearningRateSchedule.Constant.class, name = "none"),
        @JsonSubTypes.Type(value = LearningRateSchedule.Step.class, name = "step"),
        @JsonSubTypes.Type(value = LearningRateSchedule.Plateau.class, name = "plateau")})
public sealed interface LearningRateSchedule {
    double base();

    /**
     * The rate for {@code epoch} (0-based), given the rate of the epoch before and how many epochs
     * in a row have not improved the validation score.
     */
    double rate(int epoch, double previous, int epochsWithoutImprovement);

    record Constant(double base) implements LearningRateSchedule {
        public Constant {
            requireRate(base);
        }

        @Override
        public double rate(int epoch, double previous, int epochsWithoutImprovement) {
            return base;
        }
    }

    record Step(double base, int decayAfter, int every, double factor) implements LearningRateSchedule {
        public Step {
            requireRate(base);
            require(decayAfter >= 0 && every >= 1, "decay-after must be >= 0 and decay-every >= 1");
            requireFactor(factor);
        }

        @Override
        public double rate(int epoch, double previous, int epochsWithoutImprovement) {
            return epoch < decayAfter ? base : base * Math.pow(factor, 1 + (epoch - decayAfter) / every);
        }
    }

    record Plateau(double base, int patience, double factor) implements LearningRateSchedule {
        public Plateau {
            requireRate(base);
            require(patience >= 1, "plateau patience must be >= 1");
            requireFactor(factor);
        }

        @Override
        public double rate(int epoch, double previous, int epochsWithoutImprovement) {
            if (epoch == 0 || previous <= 0) {
                return base;
            }
            boolean decay = epochsWithoutImprovement > 0 && epochsWithoutImprovement % patience == 0;
            return decay ? previous * factor : previous;
        }
    }

    /** The schedule a command line names: {@code none}, {@code step} or {@code plateau}. */
    static LearningRateSchedule of(String name, double base, int decayAfter, int decayEvery, double factor,
                                   int plateauPatience) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "none", "constant" -> new Constant(base);
            case "step" -> new Step(base, decayAfter, decayEvery, factor);
            case "plateau" -> new Plateau(base, plateauPatience, factor);
            default -> throw new GlimpseException("--schedule must be none, step or plateau, got " + name);
        };
    }

    private static void requireRate(double base) {
        require(base > 0 && base <= 1, "learning rate must be in (0, 1], got " + base);
    }

    private static void requireFactor(double factor) {
        require(factor > 0 && factor <= 1, "decay factor must be in (0, 1], got " + factor);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new GlimpseException("training configuration: " + message);
        }
    }
}

package dev.glimpse.common.encoder;

import dev.glimpse.common.GlimpseException;
import java.util.Locale;

/**
 * How much of the encoder trains: {@code none} (frozen, features cached once: today's behaviour),
 * {@code last} / {@code lastN} (the last N blocks before the grid: a ResNet bottleneck, a SqueezeNet
 * fire module, a VGG convolution), or {@code all}. Blocks are the stretches between the points every
 * path from the image to the grid passes through, counted only when they hold parameters.
 *
 * @param blocks 0 = none, -1 = all, else the number of last blocks
 */
public record FineTune(int blocks) {
    public static final FineTune NONE = new FineTune(0);
    public static final FineTune ALL = new FineTune(-1);

    public FineTune {
        if (blocks < -1) {
            throw new IllegalArgumentException("blocks must be -1 (all), 0 (none) or positive");
        }
    }

    /** {@code none}, {@code last}, {@code lastN} (N >= 1) or {@code all}. */
    public static FineTune parse(String text) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("none")) {
            return NONE;
        }
        if (t.equals("all")) {
            return ALL;
        }
        if (t.equals("last")) {
            return new FineTune(1);
        }
        if (t.matches("last[1-9][0-9]{0,2}")) {
            return new FineTune(Integer.parseInt(t.substring(4)));
        }
        throw new GlimpseException("--fine-tune must be none, last, lastN (e.g. last3) or all, got '" + text + "'");
    }

    public boolean none() {
        return blocks == 0;
    }

    public boolean all() {
        return blocks < 0;
    }

    @Override
    public String toString() {
        return blocks == 0 ? "none" : blocks < 0 ? "all" : blocks == 1 ? "last" : "last" + blocks;
    }
}

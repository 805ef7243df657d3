package dev.glimpse.app.service;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.Locale;

/**
 * Whether a captioner sees the object of one-object scenes: how often its greedy caption names the
 * object's colour and shape, and how much of its attention for those words falls inside the
 * object's box.
 *
 * @param objects    the objects file the scenes came from
 * @param scenes     one-object scenes checked
 * @param right      captions naming both the object's colour and its shape
 * @param shapeWord  attention for the shape word; null when the model has no attention
 * @param colorWord  attention for the colour word; null when the model has no attention
 * @param perScene   each scene's caption and verdict, in the objects file's order
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SceneCheckResult(String model, String objects, String split, int scenes, int right, int colorNamed,
                               int shapeNamed, WordMass shapeWord, WordMass colorWord, List<Verdict> perScene) {
    public SceneCheckResult {
        perScene = List.copyOf(perScene);
    }

    /**
     * Mean attention mass inside the object's box over the captions that generated the right word.
     *
     * @param mean     null when no caption generated the word
     * @param captions captions that generated it
     * @param uniform  what attention spread evenly over the grid would give on those captions
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record WordMass(Double mean, int captions, Double uniform) {
        /** The word was generated and its attention is no better than even attention over the grid. */
        @JsonIgnore
        public boolean noBetterThanEven() {
            return mean != null && uniform != null && mean <= uniform;
        }
    }

    /** One scene: its object, the greedy caption and, where the word was generated, its mass in the box. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Verdict(String image, String color, String shape, String caption, boolean colorNamed,
                          boolean shapeNamed, Double shapeMass, Double colorMass) {}

    /**
     * "one-object scenes: colour+shape right 61/68 (90%); attention in the object's box: shape word 0.64 (uniform 0.15),
     * colour word 0.58 (uniform 0.15)".
     */
    @JsonIgnore
    public String summary() {
        if (scenes == 0) {
            return "one-object scenes: none in " + objects;
        }
        String counts = String.format(Locale.ROOT, "one-object scenes: colour+shape right %d/%d (%.0f%%)", right, scenes,
                100.0 * right / scenes);
        if (shapeWord == null) {
            return counts + "; the model has no attention";
        }
        return counts + "; attention in the object's box: shape word " + massText(shapeWord) + ", colour word "
                + massText(colorWord);
    }

    /** Whether the shape word was generated and its attention is no better than even attention over the grid. */
    @JsonIgnore
    public boolean shapeNotLocalised() {
        return shapeWord != null && shapeWord.noBetterThanEven();
    }

    /** The mass beside what even attention would give: a captioner trained from random weights can look beside the object. */
    private static String massText(WordMass m) {
        if (m.mean() == null) {
            return "n/a (never generated)";
        }
        String text = String.format(Locale.ROOT, "%.2f", m.mean());
        if (m.uniform() == null) {
            return text;
        }
        return text + String.format(Locale.ROOT, " (uniform %.2f%s)", m.uniform(), m.noBetterThanEven() ? ", not on the object" : "");
    }
}

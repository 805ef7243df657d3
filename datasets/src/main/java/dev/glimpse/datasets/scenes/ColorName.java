package dev.glimpse.datasets.scenes;

/**
 * Object colours: saturated (or pure white/black) so they never look like the muted backgrounds,
 * and far apart from each other so a small encoder can tell them apart.
 */
public enum ColorName {
    RED("red", 215, 35, 35, "orange"),
    GREEN("green", 40, 160, 60, "blue"),
    BLUE("blue", 35, 75, 215, "purple"),
    YELLOW("yellow", 240, 215, 35, "orange"),
    PURPLE("purple", 135, 50, 175, "blue"),
    ORANGE("orange", 245, 135, 25, "red"),
    WHITE("white", 245, 245, 245, "gray"),
    BLACK("black", 25, 25, 25, "gray");

    private final String word;
    private final int r;
    private final int g;
    private final int b;
    private final String confusion;

    ColorName(String word, int r, int g, int b, String confusion) {
        this.word = word;
        this.r = r;
        this.g = g;
        this.b = b;
        this.confusion = confusion;
    }

    public String word() {
        return word;
    }

    int rgb() {
        return (r << 16) | (g << 8) | b;
    }

    /** A word a careless annotator might give instead (noisy VQA answers). */
    String confusion() {
        return confusion;
    }
}

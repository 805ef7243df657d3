package dev.glimpse.datasets.scenes;

/** Background textures, all in muted colours, named as captions say them. */
public enum BackgroundKind {
    STRIPED("striped"),
    SPECKLED("speckled"),
    GRADIENT("gradient"),
    CHECKERED("checkered");

    private final String word;

    BackgroundKind(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }
}

package dev.glimpse.vqa;

/** How a question's human answers become the training distribution over the answer vocabulary. */
public enum TargetMode {
    /** min(count / 3, 1) for every answer in the vocabulary, normalised to sum 1. */
    SOFT,
    /** All mass on the most frequent in-vocabulary answer (ties: the globally more frequent). */
    HARD
}

package dev.glimpse.vqa;

/** One answer the model gives with its probability. */
public record ScoredAnswer(String answer, double probability) {}

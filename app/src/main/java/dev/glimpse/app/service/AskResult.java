package dev.glimpse.app.service;

import java.util.List;

/** The most probable answers, best first: the same JSON for {@code glimpse ask --json} and {@code POST /api/ask}. */
public record AskResult(String model, String image, String question, List<Answer> answers) {
    public AskResult {
        answers = List.copyOf(answers);
    }

    public record Answer(String answer, double probability) {}
}

package dev.glimpse.vqa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class TopAnswersTest {
    @Test
    void topKIsLargestFirstWithTiesByIndex() {
        float[] p = {0.1f, 0.4f, 0.05f, 0.4f, 0.05f};
        assertArrayEquals(new int[] {1, 3, 0}, TopAnswers.topK(p, 0, 5, 3));
        assertArrayEquals(new int[] {1, 3, 0, 2, 4}, TopAnswers.topK(p, 0, 5, 10));
        // a row inside a larger buffer
        float[] two = {0.9f, 0.1f, 0.2f, 0.8f};
        assertArrayEquals(new int[] {1, 0}, TopAnswers.topK(two, 2, 2, 2));
    }

    @Test
    void scoredAnswersUseTheAnnotatorSpelling() {
        AnswerVocabulary v = AnswerVocabulary.build(List.of(List.of("Two", "Two", "yes")), 5);
        List<ScoredAnswer> top = TopAnswers.of(new float[] {0.3f, 0.7f}, 0, v, 1);
        assertEquals(List.of(new ScoredAnswer("yes", 0.7f)), top);
        assertEquals("Two", TopAnswers.of(new float[] {0.8f, 0.2f}, 0, v, 1).get(0).answer());
    }
}

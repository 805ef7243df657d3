package dev.glimpse.vqa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.io.Json;
import dev.glimpse.common.text.Vocabulary;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class AnswerVocabularyTest {
    private static final List<List<String>> TRAIN = List.of(
            List.of("Two", "two", "2", "2", "3"),         // "2" x4, "3" x1
            List.of("red", "Red", "red.", "blue", ""),    // "red" x3, "blue" x1, "" not counted
            List.of("the dog", "dog", "cat", "2", "yes")); // "dog" x2, "cat", "2", "yes"

    @Test
    void countsNormalisedAnswersAndKeepsTheTopK() {
        AnswerVocabulary v = AnswerVocabulary.build(TRAIN, 3);
        // counts: 2:5, red:3, dog:2, then 3/blue/cat/yes with 1 each
        assertEquals(List.of("2", "red", "dog"), v.saved().keys());
        assertEquals(List.of(5, 3, 2), v.saved().counts());
        assertEquals(0, v.indexOf("TWO"));
        assertEquals(2, v.indexOf("a dog"));
        assertEquals(-1, v.indexOf("cat"));
        // most frequent spelling answers: "2" (x3 with "2" in q3) over "Two"/"two"
        assertEquals("2", v.answer(0));
        // "red", "Red", "red." once each: a tie goes to the normalised form
        assertEquals("red", v.answer(1));
        // ties in count are alphabetical
        assertEquals(List.of("2", "red", "dog", "3", "blue", "cat", "yes"),
                AnswerVocabulary.build(TRAIN, 100).saved().keys());
    }

    @Test
    void savedFormRoundTripsThroughJson() throws Exception {
        AnswerVocabulary v = AnswerVocabulary.build(TRAIN, 5);
        String json = Json.MAPPER.writeValueAsString(v.saved());
        AnswerVocabulary back = AnswerVocabulary.of(Json.MAPPER.readValue(json, AnswerVocabulary.Saved.class));
        assertEquals(v.saved(), back.saved());
        assertEquals(v.sha256(), back.sha256());
        assertThrows(GlimpseException.class, () -> AnswerVocabulary.of(
                new AnswerVocabulary.Saved(List.of("a", "a"), List.of("a", "a"), List.of(1, 1))));
        assertThrows(GlimpseException.class, () -> AnswerVocabulary.build(List.of(List.of("", " ")), 3));
    }

    @Test
    void softTargetsAreCappedCountsOverThreeNormalised() {
        AnswerVocabulary v = AnswerVocabulary.build(TRAIN, 100);
        AnswerTargets soft = new AnswerTargets(v, TargetMode.SOFT);
        // 10 answers: "2" x5 -> 1, "3" x2 -> 2/3, "dog" x1 -> 1/3, "zebra" x2 out of vocabulary
        List<String> answers = List.of("2", "two", "2", "2", "2", "3", "three", "dog", "zebra", "zebra");
        AnswerTargets.Target t = soft.target(answers).orElseThrow();
        assertArrayEquals(new int[] {v.indexOf("2"), v.indexOf("3"), v.indexOf("dog")}, t.classes());
        // scores 1, 2/3, 1/3 sum to 2: weights 1/2, 1/3, 1/6
        assertArrayEquals(new float[] {0.5f, 1f / 3, 1f / 6}, t.weights(), 1e-6f);
    }

    @Test
    void hardTargetIsTheMostFrequentInVocabularyAnswer() {
        AnswerVocabulary v = AnswerVocabulary.build(TRAIN, 3);   // 2, red, dog
        AnswerTargets hard = new AnswerTargets(v, TargetMode.HARD);
        AnswerTargets.Target t = hard.target(List.of("cat", "cat", "cat", "dog", "dogs", "the dog")).orElseThrow();
        assertArrayEquals(new int[] {v.indexOf("dog")}, t.classes());
        assertArrayEquals(new float[] {1f}, t.weights());
        // a tie goes to the answer that is more frequent in training: "2" before "red"
        t = hard.target(List.of("red", "2")).orElseThrow();
        assertArrayEquals(new int[] {0}, t.classes());
        assertTrue(hard.target(Collections.nCopies(10, "zebra")).isEmpty());
        assertTrue(new AnswerTargets(v, TargetMode.SOFT).target(List.of("cat")).isEmpty());
    }

    @Test
    void questionsAreEncodedWithUnknownWordsAndTheLengthLimit() {
        Vocabulary words = Vocabulary.build(List.of(List.of("what", "color", "is", "the", "ball")), 1);
        QuestionEncoder enc = new QuestionEncoder(words, 5);
        assertArrayEquals(new int[] {words.id("what"), words.id("color"), words.id("is"), words.id("the"),
                Vocabulary.UNK}, enc.encode("What color is the cube?"));
        assertEquals("the question is empty: ask something with at least one word",
                assertThrows(GlimpseException.class, () -> enc.encode(" ?! ")).getMessage());
        assertEquals("the question has 6 words; this model takes at most 5",
                assertThrows(GlimpseException.class, () -> enc.encode("what color is the big ball")).getMessage());
        assertEquals(5, enc.encodeTruncating("what color is the big ball").length);
        assertTrue(enc.tooLong("what color is the big ball"));
        assertEquals(0, enc.encodeTruncating("?").length);
    }
}

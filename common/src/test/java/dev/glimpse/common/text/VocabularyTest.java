package dev.glimpse.common.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.glimpse.common.GlimpseException;
import java.util.List;
import org.junit.jupiter.api.Test;

class VocabularyTest {
    @Test
    void tokenizerLowercasesSplitsAndKeepsInnerApostrophes() {
        assertEquals(List.of("a", "dog's", "ball", "don't", "3", "5", "café"),
                Tokenizer.words("A dog's ball -- DON'T! 3.5 'café'"));
        assertEquals(List.of(), Tokenizer.words("  ?! "));
    }

    @Test
    void buildOrdersByCountAndAppliesMinCount() {
        Vocabulary v = Vocabulary.build(List.of(
                List.of("a", "dog", "runs"), List.of("a", "dog"), List.of("a", "cat")), 2);
        assertEquals(List.of("<pad>", "<start>", "<end>", "<unk>", "a", "dog"), v.words());
        assertEquals(Vocabulary.UNK, v.id("cat"));
        assertArrayEquals(new int[] {4, 5, 3}, v.encode(List.of("a", "dog", "zebra")));
        assertEquals("a dog", v.decode(new int[] {Vocabulary.START, 4, 5, Vocabulary.END, 4}));
    }

    @Test
    void roundTripKeepsHashAndRejectsBadLists() {
        Vocabulary v = Vocabulary.build(List.of(List.of("x", "y")), 1);
        Vocabulary back = Vocabulary.of(v.words());
        assertEquals(v, back);
        assertEquals(v.sha256(), back.sha256());
        assertNotEquals(v.sha256(), Vocabulary.build(List.of(List.of("x", "z")), 1).sha256());
        assertThrows(GlimpseException.class, () -> Vocabulary.of(List.of("x")));
        assertThrows(GlimpseException.class, () -> Vocabulary.of(List.of("<pad>", "<start>", "<end>", "<unk>", "a", "a")));
    }

    @Test
    void savedListsWithNullEmptyRepeatedOrTooManyWordsAreRefusedByName() {
        List<String> withNull = new java.util.ArrayList<>(Vocabulary.SPECIALS);
        withNull.add("dog");
        withNull.add(null);
        assertEquals("m.zip: words: entry 5 is null",
                assertThrows(GlimpseException.class, () -> Vocabulary.of(withNull, "m.zip: words")).getMessage());
        List<String> withEmpty = new java.util.ArrayList<>(Vocabulary.SPECIALS);
        withEmpty.add("");
        assertEquals("vocabulary: entry 4 is empty",
                assertThrows(GlimpseException.class, () -> Vocabulary.of(withEmpty)).getMessage());
        List<String> tooMany = java.util.Collections.nCopies(dev.glimpse.common.bundle.ModelLimits.MAX_VOCABULARY + 1, "w");
        assertEquals("v: has 250001 entries, the limit is 250000",
                assertThrows(GlimpseException.class, () -> Vocabulary.of(tooMany, "v")).getMessage());
    }
}

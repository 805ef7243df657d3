package dev.glimpse.vqa;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.text.Tokenizer;
import dev.glimpse.common.text.Vocabulary;
import java.util.List;

/**
 * Questions to token ids with the model's vocabulary (unknown words -> {@code <unk>}) and its
 * length limit: at inference an empty or over-long question is an error the user sees; in
 * training an over-long question is cut to the limit (the trainer counts how many were).
 */
public final class QuestionEncoder {
    private final Vocabulary vocab;
    private final int maxLength;

    public QuestionEncoder(Vocabulary vocab, int maxLength) {
        if (maxLength < 1) {
            throw new GlimpseException("maximum question length must be at least 1, got " + maxLength);
        }
        this.vocab = vocab;
        this.maxLength = maxLength;
    }

    public Vocabulary vocabulary() {
        return vocab;
    }

    public int maxLength() {
        return maxLength;
    }

    /** Ids of a question asked at inference time. */
    public int[] encode(String question) {
        List<String> words = Tokenizer.words(question);
        if (words.isEmpty()) {
            throw new GlimpseException("the question is empty: ask something with at least one word");
        }
        if (words.size() > maxLength) {
            throw new GlimpseException("the question has " + words.size() + " words; this model takes at most "
                    + maxLength);
        }
        return vocab.encode(words);
    }

    /** Ids of a training question cut to the limit; empty when the question has no words. */
    public int[] encodeTruncating(String question) {
        List<String> words = Tokenizer.words(question);
        return vocab.encode(words.size() > maxLength ? words.subList(0, maxLength) : words);
    }

    /** Whether {@link #encodeTruncating} would cut this question. */
    public boolean tooLong(String question) {
        return Tokenizer.words(question).size() > maxLength;
    }
}

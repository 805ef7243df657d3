package dev.glimpse.common.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The word tokenizer for captions and questions: lower-cased runs of letters and digits, an
 * apostrophe kept inside a word ("don't", "dog's"). Punctuation is dropped, which is also what
 * coco-caption's evaluation does, so training targets never contain tokens the metric removes.
 */
public final class Tokenizer {
    private Tokenizer() {}

    public static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        String s = text.toLowerCase(Locale.ROOT);
        StringBuilder word = new StringBuilder();
        int n = s.length();
        for (int i = 0; i < n; ) {
            int cp = s.codePointAt(i);
            int len = Character.charCount(cp);
            boolean inner = (cp == '\'' || cp == '\u2019') && word.length() > 0
                    && i + len < n && Character.isLetterOrDigit(s.codePointAt(i + len));
            if (Character.isLetterOrDigit(cp)) {
                word.appendCodePoint(cp);
            } else if (inner) {
                word.append('\'');
            } else if (word.length() > 0) {
                out.add(word.toString());
                word.setLength(0);
            }
            i += len;
        }
        if (word.length() > 0) {
            out.add(word.toString());
        }
        return out;
    }
}

package dev.glimpse.captioning.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * The few Python 3 {@code str} operations coco-caption applies to tokenized captions. They differ
 * from Java's: Python's whitespace is Unicode whitespace, so {@code "3\u00a01/2".split()} gives two
 * words (PTBTokenizer joins "3 1/2" with a no-break space), while {@code split(" ")} keeps it whole.
 */
final class PyStrings {
    private PyStrings() {}

    /** Python 3 {@code str.isspace()} for one character (all such characters are in the BMP). */
    static boolean isSpace(char c) {
        return (c >= '\t' && c <= '\r') || (c >= '\u001c' && c <= ' ') || c == '\u0085' || c == '\u00a0'
                || c == '\u1680' || (c >= '\u2000' && c <= '\u200a') || c == '\u2028' || c == '\u2029'
                || c == '\u202f' || c == '\u205f' || c == '\u3000';
    }

    /** Python {@code s.split()}: runs of whitespace separate words, no empty words. */
    static List<String> splitWhitespace(String s) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); i++) {
            if (isSpace(s.charAt(i))) {
                if (start >= 0) {
                    words.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            words.add(s.substring(start));
        }
        return words;
    }

    /** Python {@code s.split(sep)} with an explicit separator: keeps empty pieces, "" gives [""]. */
    static List<String> split(String s, char sep) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == sep) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    /** Python {@code s.rstrip()}. */
    static String rstrip(String s) {
        int end = s.length();
        while (end > 0 && isSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }
}

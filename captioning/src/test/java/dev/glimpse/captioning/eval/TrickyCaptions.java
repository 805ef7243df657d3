package dev.glimpse.captioning.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Captions that exercise the tokenizer and the scorers' edge cases. */
final class TrickyCaptions {
    private TrickyCaptions() {}

    static final List<String> FIXED = List.of(
            "A man riding a horse.",
            "Don't worry, it's fine!",
            "The dog's ball isn't red; it's blue?",
            "A 3.5 inch screen and 1,000 people, $5 or 50% off.",
            "A well-known e-mail -- sent - today...",
            "Caf\u00e9 \u00fcber na\u00efve \u00e9l\u00e8ve STRASSE \u00df \u0130stanbul",
            "A smiling \uD83D\uDE00 face and emoji\uD83D\uDE00inside",
            "",
            "   ",
            "one",
            "Two lines\ninside one caption\n",
            "(In parentheses) {braces} [brackets] \"quotes\" `back' ``double''",
            "U.S. Mr. Smith's TV can't won't I'm O'Neil",
            "3 1/2 inches and (800) 555-1212",
            "Tabs\tand\u00a0no-break spaces\u2003em space",
            "x\u0085y &amp; <b>bold</b> \u201ccurly\u201d \u2019s",
            "!!! ... ?? , ; : -- -",
            "the the the the the the the the",
            "*NL* literally");

    /** FIXED plus seeded random captions mixing plain words with the tricky pieces. */
    static List<String> corpus(long seed, int extra) {
        List<String> out = new ArrayList<>(FIXED);
        Random r = new Random(seed);
        List<String> plain = List.of("a", "man", "dog", "on", "the", "red", "street", "two", "people",
                "riding", "bike", "with", "of", "is", "sitting", "table");
        List<String> odd = List.of("don't", "it's", "3.5", "1,000", "well-known", "caf\u00e9", "\uD83D\uDE00",
                ",", ".", "!", "?", "(", ")", "\"", "'", "--", "...", "U.S.", "can't", "\n", "A.");
        for (int i = 0; i < extra; i++) {
            int n = r.nextInt(15);
            StringBuilder sb = new StringBuilder();
            for (int j = 0; j < n; j++) {
                if (j > 0) {
                    sb.append(' ');
                }
                List<String> from = r.nextDouble() < 0.2 ? odd : plain;
                String w = from.get(r.nextInt(from.size()));
                sb.append(r.nextDouble() < 0.2 ? w.toUpperCase(java.util.Locale.ROOT) : w);
            }
            out.add(sb.toString());
        }
        return out;
    }
}

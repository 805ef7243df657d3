package dev.glimpse.vqa.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer normalisation of the official VQA evaluation (GT-Vision-Lab/VQA,
 * {@code PythonEvaluationTools/vqaEvaluation/vqaEval.py} at commit a013f00, run under Python 3),
 * rule for rule, quirks included, because a score is only comparable when every answer is
 * normalised the same way. The answer vocabulary of training uses {@link #normalize} too, so
 * training targets, predictions and ground truth agree.
 *
 * <p>Python semantics kept on purpose: {@code str.strip()} / {@code str.split()} use Python's
 * whitespace set (which includes U+00A0 and U+001C..U+001F, unlike {@link String#strip()}),
 * {@code \d} matches any Unicode decimal digit, and the period rule replaces at most 32 periods
 * because vqaEval passes {@code re.UNICODE} (= 32) where {@code re.sub} expects its count.
 */
public final class AnswerNormalizer {
    /** The marks vqaEval's processPunctuation treats; '.', ':' and '\'' are not among them. */
    private static final String PUNCTUATION = ";/[]\"{}()=+\\_-><@`,?!";

    /** vqaEval's commaStrip: anywhere a comma sits between two digits. */
    private static final Pattern DIGIT_COMMA_DIGIT =
            Pattern.compile("\\d,\\d", Pattern.UNICODE_CHARACTER_CLASS);

    /**
     * vqaEval's periodStrip {@code (?!<=\d)(\.)(?!\d)}: its first group is a negative LOOKAHEAD
     * for the text "<=digit" (a typo for a lookbehind) and can never fail in front of a '.', so
     * the rule is "a period not followed by a digit".
     */
    private static final Pattern PERIOD_NOT_BEFORE_DIGIT =
            Pattern.compile("\\.(?!\\d)", Pattern.UNICODE_CHARACTER_CLASS);

    /** re.UNICODE's value, which vqaEval passes as re.sub's count argument. */
    private static final int PERIOD_REPLACEMENT_LIMIT = 32;

    private static final Map<String, String> NUMBER_WORDS = Map.ofEntries(
            Map.entry("none", "0"), Map.entry("zero", "0"), Map.entry("one", "1"),
            Map.entry("two", "2"), Map.entry("three", "3"), Map.entry("four", "4"),
            Map.entry("five", "5"), Map.entry("six", "6"), Map.entry("seven", "7"),
            Map.entry("eight", "8"), Map.entry("nine", "9"), Map.entry("ten", "10"));

    private static final Set<String> ARTICLES = Set.of("a", "an", "the");

    private AnswerNormalizer() {}

    /** Everything vqaEval does to a predicted answer: {@link #clean}, punctuation, digits/articles. */
    public static String normalize(String answer) {
        return processDigitArticle(processPunctuation(clean(answer)));
    }

    /** Newlines and tabs become spaces, then Python's {@code strip()}. */
    public static String clean(String answer) {
        return pythonStrip(answer.replace('\n', ' ').replace('\t', ' '));
    }

    /**
     * vqaEval's processPunctuation. For each mark: if the ORIGINAL text has the mark next to a
     * space (either side), or has a comma between two digits anywhere, every occurrence of the
     * mark is deleted; otherwise every occurrence becomes a space. Then the first 32 periods not
     * followed by a digit are deleted.
     */
    public static String processPunctuation(String text) {
        boolean digitCommaDigit = DIGIT_COMMA_DIGIT.matcher(text).find();
        String out = text;
        for (int i = 0; i < PUNCTUATION.length(); i++) {
            String mark = String.valueOf(PUNCTUATION.charAt(i));
            boolean delete = digitCommaDigit || text.contains(mark + " ") || text.contains(" " + mark);
            out = out.replace(mark, delete ? "" : " ");
        }
        return deletePeriods(out);
    }

    private static String deletePeriods(String text) {
        Matcher m = PERIOD_NOT_BEFORE_DIGIT.matcher(text);
        StringBuilder sb = new StringBuilder(text.length());
        int replaced = 0;
        while (replaced < PERIOD_REPLACEMENT_LIMIT && m.find()) {
            m.appendReplacement(sb, "");
            replaced++;
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * vqaEval's processDigitArticle: lower-case, split on whitespace, number words none/zero..ten
     * become digits, the articles a/an/the are dropped (after the number mapping), each remaining
     * word found in the contractions table is replaced, words joined by one space.
     */
    public static String processDigitArticle(String text) {
        List<String> words = new ArrayList<>();
        for (String word : pythonSplit(text.toLowerCase(Locale.ROOT))) {
            String mapped = NUMBER_WORDS.getOrDefault(word, word);
            if (!ARTICLES.contains(mapped)) {
                words.add(mapped);
            }
        }
        words.replaceAll(w -> Contractions.TABLE.getOrDefault(w, w));
        return String.join(" ", words);
    }

    /** Python 3's {@code str.isspace()} for one UTF-16 unit (all its spaces are in the BMP). */
    static boolean isPythonSpace(char c) {
        return (c >= '\t' && c <= '\r') || (c >= '\u001c' && c <= ' ')
                || c == '\u0085' || c == '\u00a0' || c == '\u1680'
                || (c >= '\u2000' && c <= '\u200a') || c == '\u2028' || c == '\u2029'
                || c == '\u202f' || c == '\u205f' || c == '\u3000';
    }

    static String pythonStrip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isPythonSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isPythonSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    static List<String> pythonSplit(String s) {
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && isPythonSpace(s.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < s.length() && !isPythonSpace(s.charAt(i))) {
                i++;
            }
            if (i > start) {
                parts.add(s.substring(start, i));
            }
        }
        return parts;
    }
}

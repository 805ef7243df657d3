package dev.glimpse.captioning.eval;

import dev.glimpse.common.GlimpseException;
import edu.stanford.nlp.ling.CoreAnnotations;
import edu.stanford.nlp.ling.CoreLabel;
import edu.stanford.nlp.process.CoreLabelTokenFactory;
import edu.stanford.nlp.process.PTBTokenizer;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * coco-caption's tokenization step ({@code pycocoevalcap/tokenizer/ptbtokenizer.py}), run in
 * process: the captions of one batch, each with {@code '\n'} replaced by a space, are joined by
 * newlines and tokenized as one text by Stanford CoreNLP 3.4.1's PTBTokenizer exactly as its command
 * line {@code -preserveLines -lowerCase} does; output line i is caption i, split on single spaces,
 * with the punctuation tokens in {@link #PUNCTUATION} dropped.
 *
 * <p>In 3.4.1, {@code -preserveLines} adds the lexer option {@code tokenizeNLs} (newlines become
 * {@code *NL*} tokens, printed as line breaks; other tokens are joined by one space) and
 * {@code -lowerCase} is not a lexer option: the command line lower-cases each token's text with
 * {@code Locale.ENGLISH} after lexing. This class does the same (see {@code PTBTokenizer.tokReader}).
 */
public final class CaptionTokenizer {
    /** The tokens coco-caption removes, compared case-sensitively after lower-casing (so "-lrb-" stays). */
    public static final Set<String> PUNCTUATION = Set.of("''", "'", "``", "`", "-LRB-", "-RRB-", "-LCB-",
            "-RCB-", ".", "?", "!", ",", ":", "-", "--", "...", ";");

    /** The options string PTBTokenizer 3.4.1's main() builds for {@code -preserveLines -lowerCase}. */
    static final String PTB_OPTIONS = ",tokenizeNLs";
    /** The token the lexer emits for a line break under {@code tokenizeNLs} (PTBLexer.NEWLINE_TOKEN). */
    private static final String NEWLINE_TOKEN = "*NL*";

    private CaptionTokenizer() {}

    /**
     * Tokenizes one batch (coco-caption runs one for all references, one for all candidates).
     * Returns the tokenized captions, words separated by single spaces, in input order.
     *
     * @throws LineBreakException if a caption holds a character the lexer treats as a line break
     *     other than {@code '\n'} (CR, VT, FF, U+2028, U+2029): coco-caption would silently shift every
     *     later caption onto the wrong image, so we refuse instead.
     */
    public static List<String> tokenize(List<String> captions) {
        List<String> lines = ptbLines(joinBatch(captions));
        if (lines.size() != captions.size()) {
            throw lineBreakError(captions);
        }
        List<String> out = new ArrayList<>(captions.size());
        for (String line : lines) {
            out.add(dropPunctuation(line));
        }
        return out;
    }

    /** The text coco-caption writes to its temporary file for one batch. */
    static String joinBatch(List<String> captions) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < captions.size(); i++) {
            if (i > 0) {
                sb.append('\n');
            }
            sb.append(captions.get(i).replace('\n', ' '));
        }
        return sb.toString();
    }

    /**
     * What {@code java edu.stanford.nlp.process.PTBTokenizer -preserveLines -lowerCase FILE} prints
     * for a UTF-8 file holding {@code text}, split into lines at {@code '\n'} as Python's
     * {@code str.split('\n')} does (the command prints no newline after the last line).
     */
    static List<String> ptbLines(String text) {
        // The command line reads the text from a UTF-8 file and prints UTF-8; the round trips make
        // unpaired surrogates become '?' here exactly as they do there.
        String input = utf8RoundTrip(text);
        StringBuilder out = new StringBuilder(input.length() + 16);
        boolean beginLine = true;
        PTBTokenizer<CoreLabel> tokenizer =
                new PTBTokenizer<>(new StringReader(input), new CoreLabelTokenFactory(), PTB_OPTIONS);
        while (tokenizer.hasNext()) {
            String token = tokenizer.next().get(CoreAnnotations.TextAnnotation.class);
            if (NEWLINE_TOKEN.equals(token)) {
                out.append('\n');
                beginLine = true;
            } else {
                if (!beginLine) {
                    out.append(' ');
                }
                beginLine = false;
                out.append(token.toLowerCase(Locale.ENGLISH));
            }
        }
        return PyStrings.split(utf8RoundTrip(out.toString()), '\n');
    }

    /** ptbtokenizer.py's post-processing of one output line. */
    static String dropPunctuation(String line) {
        StringBuilder sb = new StringBuilder(line.length());
        boolean first = true;
        for (String w : PyStrings.split(PyStrings.rstrip(line), ' ')) {
            if (!PUNCTUATION.contains(w)) {
                if (!first) {
                    sb.append(' ');
                }
                first = false;
                sb.append(w);
            }
        }
        return sb.toString();
    }

    private static String utf8RoundTrip(String s) {
        return new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    private static LineBreakException lineBreakError(List<String> captions) {
        for (int i = 0; i < captions.size(); i++) {
            String caption = captions.get(i).replace('\n', ' ');
            if (ptbLines(caption).size() > 1) {
                return new LineBreakException(i, caption);
            }
        }
        throw new IllegalStateException("PTB tokenizer line count differs from the caption count");
    }

    /** A caption that would break coco-caption's one-line-per-caption alignment. */
    public static final class LineBreakException extends GlimpseException {
        private final int index;

        LineBreakException(int index, String caption) {
            super("caption " + quote(caption) + " contains a line break character (CR, VT, FF, U+2028"
                    + " or U+2029) that the PTB tokenizer splits on, which would misalign coco-caption's batch");
            this.index = index;
        }

        /** Position of the offending caption in the batch. */
        public int index() {
            return index;
        }

        static String quote(String caption) {
            String shown = caption.length() > 80 ? caption.substring(0, 80) + "..." : caption;
            StringBuilder sb = new StringBuilder("\"");
            for (char c : shown.toCharArray()) {
                if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                    sb.append(String.format("\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            return sb.append('"').toString();
        }
    }
}

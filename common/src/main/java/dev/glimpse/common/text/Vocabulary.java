package dev.glimpse.common.text;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.common.bundle.ModelLimits;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * An immutable word list with the four special tokens at fixed ids. Built once from training
 * text and stored with the model (with its sha256), so inference always maps words the way
 * training did.
 */
public final class Vocabulary {
    public static final int PAD = 0;
    public static final int START = 1;
    public static final int END = 2;
    public static final int UNK = 3;
    public static final List<String> SPECIALS = List.of("<pad>", "<start>", "<end>", "<unk>");

    private final List<String> words;
    private final Map<String, Integer> ids;

    private Vocabulary(List<String> words) {
        this.words = List.copyOf(words);
        Map<String, Integer> m = new HashMap<>(words.size() * 2);
        for (int i = 0; i < words.size(); i++) {
            if (m.put(words.get(i), i) != null) {
                throw new GlimpseException("vocabulary: duplicate word \"" + words.get(i) + "\" at id " + i);
            }
        }
        this.ids = m;
    }

    /** Words seen at least {@code minCount} times, most frequent first (ties alphabetical). */
    public static Vocabulary build(Iterable<List<String>> sentences, int minCount) {
        Map<String, Integer> counts = new HashMap<>();
        for (List<String> s : sentences) {
            for (String w : s) {
                counts.merge(w, 1, Integer::sum);
            }
        }
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.removeIf(e -> e.getValue() < minCount || SPECIALS.contains(e.getKey()));
        entries.sort((a, b) -> a.getValue().equals(b.getValue())
                ? a.getKey().compareTo(b.getKey()) : Integer.compare(b.getValue(), a.getValue()));
        List<String> words = new ArrayList<>(SPECIALS);
        for (Map.Entry<String, Integer> e : entries) {
            words.add(e.getKey());
        }
        return new Vocabulary(words);
    }

    /** Restores a saved list; the first four entries must be the special tokens. */
    public static Vocabulary of(List<String> words) {
        return of(words, "vocabulary");
    }

    /**
     * Restores a saved list read from {@code where} (file and entry, for messages): at most
     * {@link ModelLimits#MAX_VOCABULARY} words, none null, empty or repeated, the special tokens first.
     */
    public static Vocabulary of(List<String> words, String where) {
        ModelLimits.words(where, words, ModelLimits.MAX_VOCABULARY);
        if (words.size() < SPECIALS.size() || !words.subList(0, SPECIALS.size()).equals(SPECIALS)) {
            throw new GlimpseException(where + ": must start with " + SPECIALS);
        }
        return new Vocabulary(words);
    }

    public int size() {
        return words.size();
    }

    public int id(String word) {
        return ids.getOrDefault(word, UNK);
    }

    public boolean contains(String word) {
        return ids.containsKey(word);
    }

    public String word(int id) {
        return words.get(id);
    }

    public List<String> words() {
        return Collections.unmodifiableList(words);
    }

    /** Ids of a tokenized sentence, unknown words as {@link #UNK}. */
    public int[] encode(List<String> tokens) {
        int[] out = new int[tokens.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = id(tokens.get(i));
        }
        return out;
    }

    /** Words of ids up to (not including) the first END, skipping START and PAD. */
    public String decode(int[] tokenIds) {
        StringBuilder sb = new StringBuilder();
        for (int id : tokenIds) {
            if (id == END) {
                break;
            }
            if (id == START || id == PAD) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(word(id));
        }
        return sb.toString();
    }

    public String sha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String w : words) {
                md.update(w.getBytes(StandardCharsets.UTF_8));
                md.update((byte) '\n');
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Vocabulary v && v.words.equals(words);
    }

    @Override
    public int hashCode() {
        return words.hashCode();
    }
}

package dev.glimpse.vqa;

import dev.glimpse.common.GlimpseException;
import dev.glimpse.vqa.eval.AnswerNormalizer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The answers a VQA model can give: the K most frequent training answers. Answers are counted
 * after the official evaluation's normalisation ({@link AnswerNormalizer#normalize}: punctuation,
 * number words to digits, articles, contractions), so "Two", "two" and "2" are one class; each
 * of the (usually 10) human answers of a question counts once.
 *
 * <p>Each class also keeps its most frequent cleaned spelling, which is what the model answers:
 * the official metric compares spellings verbatim when all ten annotators agree, so answering
 * the way annotators write scores at least as well as answering the normalised key (a tie goes
 * to the normalised form itself).
 *
 * <p>Immutable; saved in the model file as {@link Saved}.
 */
public final class AnswerVocabulary {
    /**
     * The stored form.
     *
     * @param keys      normalised answers, most frequent first (ties: alphabetical)
     * @param spellings the answer given for each key
     * @param counts    how often each key occurred among the training answers
     */
    public record Saved(List<String> keys, List<String> spellings, List<Integer> counts) {}

    private final List<String> keys;
    private final List<String> spellings;
    private final List<Integer> counts;
    private final Map<String, Integer> index;

    private AnswerVocabulary(List<String> keys, List<String> spellings, List<Integer> counts) {
        if (keys == null || spellings == null || counts == null || keys.isEmpty()
                || keys.size() != spellings.size() || keys.size() != counts.size()) {
            throw new GlimpseException("answer vocabulary: needs as many keys, spellings and counts, at least one");
        }
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i) == null || keys.get(i).isEmpty() || spellings.get(i) == null || spellings.get(i).isEmpty()) {
                throw new GlimpseException("answer vocabulary: answer " + i + " has a null or empty key or spelling");
            }
            if (counts.get(i) == null || counts.get(i) < 0) {
                throw new GlimpseException("answer vocabulary: answer " + i + " has count " + counts.get(i));
            }
        }
        this.keys = List.copyOf(keys);
        this.spellings = List.copyOf(spellings);
        this.counts = List.copyOf(counts);
        Map<String, Integer> m = new HashMap<>(keys.size() * 2);
        for (int i = 0; i < keys.size(); i++) {
            if (m.put(keys.get(i), i) != null) {
                throw new GlimpseException("answer vocabulary: duplicate answer \"" + keys.get(i) + "\"");
            }
        }
        this.index = m;
    }

    public static AnswerVocabulary of(Saved saved) {
        return new AnswerVocabulary(saved.keys(), saved.spellings(), saved.counts());
    }

    public Saved saved() {
        return new Saved(keys, spellings, counts);
    }

    /**
     * The {@code k} most frequent normalised answers of {@code answersPerQuestion} (each inner
     * list: one question's human answers). Empty answers are not counted.
     */
    public static AnswerVocabulary build(Iterable<List<String>> answersPerQuestion, int k) {
        if (k < 1) {
            throw new GlimpseException("answer vocabulary size must be at least 1, got " + k);
        }
        Map<String, Integer> counts = new HashMap<>();
        Map<String, Map<String, Integer>> spellingCounts = new HashMap<>();
        for (List<String> answers : answersPerQuestion) {
            for (String raw : answers) {
                String key = AnswerNormalizer.normalize(raw);
                if (key.isEmpty()) {
                    continue;
                }
                counts.merge(key, 1, Integer::sum);
                spellingCounts.computeIfAbsent(key, x -> new HashMap<>())
                        .merge(AnswerNormalizer.clean(raw), 1, Integer::sum);
            }
        }
        if (counts.isEmpty()) {
            throw new GlimpseException("answer vocabulary: the training data has no answers");
        }
        List<Map.Entry<String, Integer>> ranked = new ArrayList<>(counts.entrySet());
        ranked.sort(MOST_FREQUENT_FIRST);
        List<String> keys = new ArrayList<>();
        List<String> spellings = new ArrayList<>();
        List<Integer> kept = new ArrayList<>();
        for (Map.Entry<String, Integer> e : ranked.subList(0, Math.min(k, ranked.size()))) {
            keys.add(e.getKey());
            spellings.add(mostFrequentSpelling(e.getKey(), spellingCounts.get(e.getKey())));
            kept.add(e.getValue());
        }
        return new AnswerVocabulary(keys, spellings, kept);
    }

    /** Ties between spellings go to the normalised form itself, then alphabetical. */
    private static String mostFrequentSpelling(String key, Map<String, Integer> forms) {
        String best = null;
        int bestCount = -1;
        for (Map.Entry<String, Integer> f : forms.entrySet()) {
            int c = f.getValue();
            boolean better = c > bestCount
                    || (c == bestCount && !best.equals(key)
                        && (f.getKey().equals(key) || f.getKey().compareTo(best) < 0));
            if (better) {
                best = f.getKey();
                bestCount = c;
            }
        }
        return best;
    }

    private static final java.util.Comparator<Map.Entry<String, Integer>> MOST_FREQUENT_FIRST =
            (a, b) -> a.getValue().equals(b.getValue())
                    ? a.getKey().compareTo(b.getKey()) : Integer.compare(b.getValue(), a.getValue());

    public int size() {
        return keys.size();
    }

    /** The class of a raw answer (normalised here), or -1 when it is not in the vocabulary. */
    public int indexOf(String rawAnswer) {
        return indexOfKey(AnswerNormalizer.normalize(rawAnswer));
    }

    /** The class of an already normalised answer, or -1. */
    public int indexOfKey(String key) {
        return index.getOrDefault(key, -1);
    }

    public String key(int i) {
        return keys.get(i);
    }

    public int count(int i) {
        return counts.get(i);
    }

    /** The answer the model gives for class {@code i}. */
    public String answer(int i) {
        return spellings.get(i);
    }

    public String sha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < keys.size(); i++) {
                md.update((keys.get(i) + "\t" + spellings.get(i) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

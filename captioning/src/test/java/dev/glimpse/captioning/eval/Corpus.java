package dev.glimpse.captioning.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A tokenized corpus for scorer tests: small vocabulary so n-grams overlap, odd cases mixed in. */
record Corpus(List<List<String>> refs, List<String> cands) {
    static Corpus random(long seed, int images) {
        Random r = new Random(seed);
        String[] vocab = {"a", "man", "dog", "on", "the", "red", "street", "two", "people", "riding",
                "bike", "with", "3.5", "it", "'s", "n't", "caf\u00e9", "3\u00a01/2"};
        List<List<String>> refs = new ArrayList<>();
        List<String> cands = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            List<String> rs = new ArrayList<>();
            int nr = 1 + r.nextInt(5);
            for (int j = 0; j < nr; j++) {
                rs.add(sentence(r, vocab, 1 + r.nextInt(12)));
            }
            refs.add(rs);
            double u = r.nextDouble();
            if (u < 0.1) {
                cands.add(rs.get(0));
            } else if (u < 0.15) {
                cands.add("");
            } else if (u < 0.2) {
                cands.add(vocab[r.nextInt(vocab.length)]);
            } else if (u < 0.25) {
                cands.add(sentence(r, vocab, 60));
            } else if (u < 0.3) {
                cands.add("a man a man a man the the the");
            } else {
                cands.add(sentence(r, vocab, r.nextInt(14)));
            }
        }
        return new Corpus(refs, cands);
    }

    private static String sentence(Random r, String[] vocab, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(vocab[r.nextInt(vocab.length)]);
        }
        return sb.toString();
    }
}

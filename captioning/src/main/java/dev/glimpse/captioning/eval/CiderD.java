package dev.glimpse.captioning.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * CIDEr-D as coco-caption's {@code cider_scorer.py} (reported there as "CIDEr"): n = 1..4,
 * document frequency = number of scored images whose reference set contains the n-gram,
 * tf-idf weights count * (log N - log max(1, df)), similarity clipped as
 * sum min(h, r) * r / (|h| |r|), a Gaussian length penalty exp(-delta^2 / (2 sigma^2)) with sigma 6
 * where the "length" is, as in the original, the number of 2-grams (words - 1, or 0), averaged over
 * n, then over references, times 10; the corpus score is the mean over images. The idf comes from
 * the scored images themselves, so a single image scores 0 (log 1 = 0).
 */
public final class CiderD {
    public static final int MAX_N = 4;
    public static final double SIGMA = 6.0;

    private CiderD() {}

    public static MetricScore score(List<List<String>> references, List<String> candidates) {
        Checks.sameSize(references, candidates);
        Corpus corpus = new Corpus(references);
        double[] perImage = new double[candidates.size()];
        for (int i = 0; i < perImage.length; i++) {
            perImage[i] = corpus.scoreCooked(candidates.get(i), corpus.refGrams.get(i));
        }
        return new MetricScore("CIDEr", NumpySum.mean(perImage), perImage);
    }

    /**
     * Document frequencies of a set of images' references, fixed once: scores any caption against any references
     * with them. Self-critical training scores sampled captions this way with the training set's frequencies
     * (as ruotianluo's {@code cider_scorer} with {@code df = corpus}), not those of the few images in a batch.
     */
    public static final class Corpus {
        private final Map<String, Integer> docFreq = new HashMap<>();
        private final double logN;
        private final List<List<NGrams>> refGrams;

        public Corpus(List<List<String>> references) {
            refGrams = new ArrayList<>(references.size());
            for (List<String> refs : references) {
                List<NGrams> cooked = cook(refs);
                refGrams.add(cooked);
                Set<String> seen = new HashSet<>();
                for (NGrams g : cooked) {
                    for (Map<String, Integer> m : g.counts) {
                        seen.addAll(m.keySet());
                    }
                }
                for (String gram : seen) {
                    docFreq.merge(gram, 1, Integer::sum);
                }
            }
            logN = Math.log(references.size());
        }

        /** CIDEr-D of one caption against the references of the corpus's image {@code image} (its index). */
        public double score(String candidate, int image) {
            if (image < 0 || image >= refGrams.size()) {
                throw new IndexOutOfBoundsException("image " + image + " of a corpus of " + refGrams.size());
            }
            return scoreCooked(candidate, refGrams.get(image));
        }

        private static List<NGrams> cook(List<String> refs) {
            List<NGrams> cooked = new ArrayList<>(refs.size());
            for (String ref : refs) {
                cooked.add(NGrams.of(ref, MAX_N));
            }
            return cooked;
        }

        private double scoreCooked(String candidate, List<NGrams> refs) {
            TfIdf hyp = TfIdf.of(NGrams.of(candidate, MAX_N), docFreq, logN);
            double[] sum = new double[MAX_N];
            for (NGrams ref : refs) {
                double[] sim = similarity(hyp, TfIdf.of(ref, docFreq, logN));
                for (int n = 0; n < MAX_N; n++) {
                    sum[n] += sim[n];
                }
            }
            return NumpySum.mean(sum) / refs.size() * 10.0;
        }
    }

    /** Per-order clipped cosine similarity times the length penalty. */
    private static double[] similarity(TfIdf hyp, TfIdf ref) {
        double delta = hyp.length - ref.length;
        double penalty = Math.pow(Math.E, -(delta * delta) / (2 * SIGMA * SIGMA));
        double[] val = new double[MAX_N];
        for (int n = 0; n < MAX_N; n++) {
            Map<String, Double> r = ref.vec.get(n);
            for (Map.Entry<String, Double> e : hyp.vec.get(n).entrySet()) {
                double rv = r.getOrDefault(e.getKey(), 0.0);
                val[n] += Math.min(e.getValue(), rv) * rv;
            }
            if (hyp.norm[n] != 0 && ref.norm[n] != 0) {
                val[n] /= hyp.norm[n] * ref.norm[n];
            }
            val[n] *= penalty;
        }
        return val;
    }

    /** One caption's tf-idf vectors per order, their norms, and its 2-gram count ("length"). */
    private record TfIdf(List<Map<String, Double>> vec, double[] norm, int length) {
        static TfIdf of(NGrams grams, Map<String, Integer> docFreq, double logN) {
            List<Map<String, Double>> vec = new ArrayList<>(MAX_N);
            double[] norm = new double[MAX_N];
            for (int n = 0; n < MAX_N; n++) {
                Map<String, Double> v = new LinkedHashMap<>();
                for (Map.Entry<String, Integer> e : grams.counts.get(n).entrySet()) {
                    double df = Math.log(Math.max(1.0, docFreq.getOrDefault(e.getKey(), 0)));
                    double w = e.getValue() * (logN - df);
                    v.put(e.getKey(), w);
                    norm[n] += w * w;
                }
                vec.add(v);
                norm[n] = Math.sqrt(norm[n]);
            }
            int length = 0;
            for (int count : grams.counts.get(1).values()) {
                length += count;
            }
            return new TfIdf(vec, norm, length);
        }
    }
}

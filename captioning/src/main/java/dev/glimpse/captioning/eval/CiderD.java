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
        int images = candidates.size();
        List<List<NGrams>> refGrams = new ArrayList<>(images);
        Map<String, Integer> docFreq = new HashMap<>();
        for (List<String> refs : references) {
            List<NGrams> cooked = new ArrayList<>(refs.size());
            Set<String> seen = new HashSet<>();
            for (String ref : refs) {
                NGrams g = NGrams.of(ref, MAX_N);
                cooked.add(g);
                for (Map<String, Integer> m : g.counts) {
                    seen.addAll(m.keySet());
                }
            }
            refGrams.add(cooked);
            for (String gram : seen) {
                docFreq.merge(gram, 1, Integer::sum);
            }
        }
        double logN = Math.log(images);
        double[] perImage = new double[images];
        for (int i = 0; i < images; i++) {
            TfIdf hyp = TfIdf.of(NGrams.of(candidates.get(i), MAX_N), docFreq, logN);
            double[] sum = new double[MAX_N];
            List<NGrams> refs = refGrams.get(i);
            for (NGrams ref : refs) {
                double[] sim = similarity(hyp, TfIdf.of(ref, docFreq, logN));
                for (int n = 0; n < MAX_N; n++) {
                    sum[n] += sim[n];
                }
            }
            double avg = NumpySum.mean(sum);
            avg /= refs.size();
            avg *= 10.0;
            perImage[i] = avg;
        }
        return new MetricScore("CIDEr", NumpySum.mean(perImage), perImage);
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

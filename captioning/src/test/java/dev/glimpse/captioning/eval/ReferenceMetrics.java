package dev.glimpse.captioning.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A second, deliberately plain implementation of coco-caption's metrics, written from the Python
 * sources' description in a different shape (n-grams as lists, counts by scanning, one image at a
 * time, naive sums), so that the production scorers are checked against something independent.
 */
final class ReferenceMetrics {
    /** Python 3's str.split() separators. */
    private static final Pattern PY_WS = Pattern.compile(
            "[\\t\\n\\x0B\\f\\r\\x1C-\\x20\\x85\\xA0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]+");

    private ReferenceMetrics() {}

    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        for (String w : PY_WS.split(s)) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    static List<List<String>> ngrams(List<String> w, int n) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i + n <= w.size(); i++) {
            out.add(w.subList(i, i + n));
        }
        return out;
    }

    // ---- BLEU ("closest") ----

    /** [k][image] per-image BLEU-(k+1) followed by a final row of corpus scores at [4][k]. */
    static double[][] bleu(List<List<String>> refs, List<String> cands) {
        int m = cands.size();
        double[][] out = new double[5][];
        for (int k = 0; k < 4; k++) {
            out[k] = new double[m];
        }
        double[] totalMatch = new double[4];
        double[] totalGuess = new double[4];
        double totalTest = 0;
        double totalRef = 0;
        for (int i = 0; i < m; i++) {
            List<String> c = words(cands.get(i));
            double[] match = new double[4];
            double[] guess = new double[4];
            for (int n = 1; n <= 4; n++) {
                List<List<String>> cg = ngrams(c, n);
                guess[n - 1] = cg.size();
                for (List<String> g : new HashSet<>(cg)) {
                    int best = 0;
                    for (String r : refs.get(i)) {
                        best = Math.max(best, Collections.frequency(ngrams(words(r), n), g));
                    }
                    match[n - 1] += Math.min(best, Collections.frequency(cg, g));
                }
            }
            // closest reference length, shorter on ties
            int refLen = -1;
            for (String r : refs.get(i)) {
                int len = words(r).size();
                if (refLen < 0 || Math.abs(len - c.size()) < Math.abs(refLen - c.size())
                        || (Math.abs(len - c.size()) == Math.abs(refLen - c.size()) && len < refLen)) {
                    refLen = len;
                }
            }
            double[] b = bleuFromCounts(match, guess, c.size(), refLen);
            for (int k = 0; k < 4; k++) {
                out[k][i] = b[k];
                totalMatch[k] += match[k];
                totalGuess[k] += guess[k];
            }
            totalTest += c.size();
            totalRef += refLen;
        }
        out[4] = bleuFromCounts(totalMatch, totalGuess, totalTest, totalRef);
        return out;
    }

    private static double[] bleuFromCounts(double[] match, double[] guess, double test, double ref) {
        double[] b = new double[4];
        double ratio = (test + 1e-15) / (ref + 1e-9);
        double bp = ratio < 1 ? Math.exp(1 - 1 / ratio) : 1.0;
        for (int k = 0; k < 4; k++) {
            double logSum = 0;
            for (int j = 0; j <= k; j++) {
                logSum += Math.log((match[j] + 1e-15) / (guess[j] + 1e-9));
            }
            b[k] = Math.exp(logSum / (k + 1)) * bp;
        }
        return b;
    }

    // ---- ROUGE-L ----

    static double[] rouge(List<List<String>> refs, List<String> cands) {
        double[] out = new double[cands.size()];
        for (int i = 0; i < out.length; i++) {
            List<String> c = List.of(cands.get(i).split(" ", -1));
            double p = 0;
            double r = 0;
            for (String ref : refs.get(i)) {
                List<String> rw = List.of(ref.split(" ", -1));
                int l = lcs(c, rw, c.size(), rw.size(), new Integer[c.size() + 1][rw.size() + 1]);
                p = Math.max(p, (double) l / c.size());
                r = Math.max(r, (double) l / rw.size());
            }
            out[i] = (p == 0 || r == 0) ? 0 : (1 + 1.44) * p * r / (r + 1.44 * p);
        }
        return out;
    }

    /** Memoized recursive LCS of the prefixes a[0..i), b[0..j). */
    private static int lcs(List<String> a, List<String> b, int i, int j, Integer[][] memo) {
        if (i == 0 || j == 0) {
            return 0;
        }
        if (memo[i][j] == null) {
            memo[i][j] = a.get(i - 1).equals(b.get(j - 1))
                    ? lcs(a, b, i - 1, j - 1, memo) + 1
                    : Math.max(lcs(a, b, i - 1, j, memo), lcs(a, b, i, j - 1, memo));
        }
        return memo[i][j];
    }

    // ---- CIDEr-D ----

    static double[] cider(List<List<String>> refs, List<String> cands) {
        refGramSets.clear();
        for (List<String> rs : refs) {
            Set<List<String>> grams = new HashSet<>();
            for (String r : rs) {
                for (int n = 1; n <= 4; n++) {
                    grams.addAll(ngrams(words(r), n));
                }
            }
            refGramSets.add(grams);
        }
        int m = cands.size();
        double[] out = new double[m];
        for (int i = 0; i < m; i++) {
            double total = 0;
            for (String ref : refs.get(i)) {
                double perN = 0;
                for (int n = 1; n <= 4; n++) {
                    perN += clippedCosine(cands.get(i), ref, n, refs);
                }
                double delta = bigramCount(cands.get(i)) - bigramCount(ref);
                total += perN / 4 * Math.exp(-delta * delta / 72.0);
            }
            out[i] = 10 * total / refs.get(i).size();
        }
        return out;
    }

    private static int bigramCount(String s) {
        return ngrams(words(s), 2).size();
    }

    private static double clippedCosine(String hyp, String ref, int n, List<List<String>> allRefs) {
        List<List<String>> hg = ngrams(words(hyp), n);
        List<List<String>> rg = ngrams(words(ref), n);
        double dot = 0;
        double hn = 0;
        double rn = 0;
        for (List<String> g : new HashSet<>(hg)) {
            double h = Collections.frequency(hg, g) * idf(g, allRefs);
            double r = Collections.frequency(rg, g) * idf(g, allRefs);
            dot += Math.min(h, r) * r;
            hn += h * h;
        }
        for (List<String> g : new HashSet<>(rg)) {
            double r = Collections.frequency(rg, g) * idf(g, allRefs);
            rn += r * r;
        }
        return (hn == 0 || rn == 0) ? dot : dot / Math.sqrt(hn) / Math.sqrt(rn);
    }

    /** Per image of the current cider() call: the set of all n-grams (n = 1..4) of its references. */
    private static final List<Set<List<String>>> refGramSets = new ArrayList<>();

    private static double idf(List<String> gram, List<List<String>> allRefs) {
        int df = 0;
        for (Set<List<String>> grams : refGramSets) {
            if (grams.contains(gram)) {
                df++;
            }
        }
        return Math.log(allRefs.size()) - Math.log(Math.max(1, df));
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}

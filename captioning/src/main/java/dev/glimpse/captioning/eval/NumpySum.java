package dev.glimpse.captioning.eval;

/**
 * {@code np.mean} of a float64 vector as numpy computes it: pairwise summation in blocks of
 * eight, then one division. coco-caption averages with numpy, so summing the same way keeps our
 * corpus scores equal to its to the last bit rather than to 1e-15.
 */
final class NumpySum {
    private static final int BLOCK = 128;

    private NumpySum() {}

    static double mean(double[] values) {
        return sum(values, 0, values.length) / values.length;
    }

    static double sum(double[] a, int from, int n) {
        if (n < 8) {
            double res = 0.0;
            for (int i = 0; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        if (n <= BLOCK) {
            double[] r = new double[8];
            System.arraycopy(a, from, r, 0, 8);
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += a[from + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += a[from + i];
            }
            return res;
        }
        int half = n / 2;
        half -= half % 8;
        return sum(a, from, half) + sum(a, from + half, n - half);
    }
}

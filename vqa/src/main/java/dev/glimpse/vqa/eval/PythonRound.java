package dev.glimpse.vqa.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Python 3's {@code round(x, n)} on a double: the EXACT binary value is rounded half-to-even
 * (so round(0.125, 2) = 0.12 but round(2.675, 2) = 2.67 because 2.675 is stored just below),
 * and the result is the double nearest to that decimal.
 */
final class PythonRound {
    private PythonRound() {}

    static double round(double x, int digits) {
        if (!Double.isFinite(x)) {
            return x;
        }
        return new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).doubleValue();
    }
}

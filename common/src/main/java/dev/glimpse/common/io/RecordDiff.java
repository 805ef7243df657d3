package dev.glimpse.common.io;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/** Names the fields in which two values differ, so a mismatch message can say which key it is. */
public final class RecordDiff {
    private RecordDiff() {}

    /** "name: a vs b" for every differing component of two records of the same type. */
    public static List<String> of(Record a, Record b) {
        List<String> out = new ArrayList<>();
        if (a == null || b == null || a.getClass() != b.getClass()) {
            if (!Objects.equals(a, b)) {
                out.add("value: " + a + " vs " + b);
            }
            return out;
        }
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            try {
                Object x = c.getAccessor().invoke(a);
                Object y = c.getAccessor().invoke(b);
                if (!same(x, y)) {
                    out.add(c.getName() + ": " + x + " vs " + y);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /** Equal as JSON values: records holding arrays compare those by reference otherwise. */
    private static boolean same(Object x, Object y) {
        if (Objects.deepEquals(x, y)) {
            return true;
        }
        if (x instanceof Number a && y instanceof Number b) {
            // JSON round trips turn a long 7 into an int 7: the same setting.
            return new java.math.BigDecimal(a.toString()).compareTo(new java.math.BigDecimal(b.toString())) == 0;
        }
        return x != null && y != null && Json.MAPPER.valueToTree(x).equals(Json.MAPPER.valueToTree(y));
    }

    /** "key: a vs b" for every key of either map whose values differ. */
    public static List<String> of(Map<String, ?> a, Map<String, ?> b) {
        List<String> out = new ArrayList<>();
        TreeSet<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            if (!same(a.get(k), b.get(k))) {
                out.add(k + ": " + a.get(k) + " vs " + b.get(k));
            }
        }
        return out;
    }
}

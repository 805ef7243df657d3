package dev.glimpse.datasets;

import java.util.Arrays;

/** A growable long array, so ids of a million records do not become a million boxed Longs. */
final class LongList {
    private long[] values = new long[1024];
    private int size;

    void add(long v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    long get(int i) {
        return values[i];
    }

    int size() {
        return size;
    }

    long[] raw() {
        return values;
    }
}

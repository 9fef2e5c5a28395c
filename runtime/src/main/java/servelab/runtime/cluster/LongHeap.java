package servelab.runtime.cluster;

import java.util.Arrays;

/** A min-heap of longs without boxing (response arrival times at clients). */
final class LongHeap {
    private long[] items = new long[64];
    private int size;

    void add(long x) {
        if (size == items.length) items = Arrays.copyOf(items, size * 2);
        int i = size++;
        while (i > 0 && items[(i - 1) / 2] > x) {
            items[i] = items[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        items[i] = x;
    }

    boolean isEmpty() {
        return size == 0;
    }

    long peek() {
        return items[0];
    }

    long poll() {
        long top = items[0];
        long last = items[--size];
        int i = 0;
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) break;
            if (c + 1 < size && items[c + 1] < items[c]) c++;
            if (items[c] >= last) break;
            items[i] = items[c];
            i = c;
        }
        items[i] = last;
        return top;
    }

    int size() {
        return size;
    }
}

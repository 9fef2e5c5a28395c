package servelab.datasets.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits one CSV line into fields without copying it: field {@code i} is {@code line[start(i) .. end(i))}.
 * Follows RFC 4180 within a line: a field may be enclosed in double quotes, inside which commas are data and
 * {@code ""} stands for one quote. Quoted fields spanning lines are not supported (no trace writes them).
 */
public final class CsvFields {
    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private boolean[] escaped = new boolean[16];
    private int count;
    private int badQuoteField = -1;
    private byte[] line;

    /**
     * Splits {@code b[from .. to)}; returns the number of fields, or -1 when a quoted field is not closed or is
     * followed by something other than a comma ({@link #badQuoteField()} then says which, 0-based).
     */
    public int split(byte[] b, int from, int to) {
        line = b;
        count = 0;
        badQuoteField = -1;
        int i = from;
        while (true) {
            if (count == starts.length) grow();
            if (i < to && b[i] == '"') {
                int j = i + 1;
                boolean hasEscapes = false;
                while (j < to) {
                    if (b[j] == '"') {
                        if (j + 1 < to && b[j + 1] == '"') {
                            hasEscapes = true;
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j++;
                }
                if (j >= to || (j + 1 < to && b[j + 1] != ',')) {
                    badQuoteField = count;
                    return -1;
                }
                set(i + 1, j, hasEscapes);
                i = j + 1;
            } else {
                int j = i;
                while (j < to && b[j] != ',') j++;
                set(i, j, false);
                i = j;
            }
            if (i >= to) return count;
            i++;
        }
    }

    private void set(int start, int end, boolean hasEscapes) {
        starts[count] = start;
        ends[count] = end;
        escaped[count] = hasEscapes;
        count++;
    }

    private void grow() {
        starts = Arrays.copyOf(starts, starts.length * 2);
        ends = Arrays.copyOf(ends, ends.length * 2);
        escaped = Arrays.copyOf(escaped, escaped.length * 2);
    }

    public int start(int field) {
        return starts[field];
    }

    public int end(int field) {
        return ends[field];
    }

    /** True when field {@code i} is quoted and holds {@code ""}, so its bytes are not its text. */
    public boolean hasEscapes(int field) {
        return escaped[field];
    }

    public int count() {
        return count;
    }

    public int badQuoteField() {
        return badQuoteField;
    }

    /** Field {@code i} as text (UTF-8), with {@code ""} unescaped. */
    public String text(int field) {
        var s = new String(line, starts[field], ends[field] - starts[field], StandardCharsets.UTF_8);
        return escaped[field] ? s.replace("\"\"", "\"") : s;
    }

    /** All fields as trimmed text: a header. */
    public List<String> texts() {
        var names = new ArrayList<String>(count);
        for (int i = 0; i < count; i++) names.add(text(i).strip());
        return names;
    }
}

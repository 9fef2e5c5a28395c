package servelab.runtime.notebook;

import java.util.List;

/** Fixed-width text tables for notebook output: numbers right-aligned, text left-aligned. */
public final class TextTable {

    private TextTable() {
    }

    /** The header, a rule, and the rows, each column as wide as its widest cell. */
    public static String format(List<String> header, List<List<String>> rows) {
        int columns = header.size();
        var width = new int[columns];
        var numeric = new boolean[columns];
        for (int c = 0; c < columns; c++) {
            width[c] = header.get(c).length();
            numeric[c] = true;
            for (var row : rows) {
                width[c] = Math.max(width[c], row.get(c).length());
                numeric[c] &= row.get(c).matches("-?[0-9.,]+[%x]?|n/a");
            }
        }
        var out = new StringBuilder();
        line(out, header, width, numeric);
        for (int c = 0; c < columns; c++) out.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
        out.append('\n');
        for (var row : rows) line(out, row, width, numeric);
        return out.toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] width, boolean[] numeric) {
        for (int c = 0; c < cells.size(); c++) {
            if (c > 0) out.append("  ");
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            out.append(numeric[c] ? pad + cell : c == cells.size() - 1 ? cell : cell + pad);
        }
        out.append('\n');
    }
}

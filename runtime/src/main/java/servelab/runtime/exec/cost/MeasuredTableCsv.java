package servelab.runtime.exec.cost;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a measured step table: a comma-separated file with a header naming the {@link #COLUMNS} in any order, one
 * measured step per line. Lines starting with {@code #} are comments (for provenance: machine, build, date) and
 * blank lines are skipped. No quoting: every cell is a number.
 *
 * <pre>
 * # tiny on a 2-core CI runner, ServeLab 0.1.0, 2025-01-01
 * prefill_tokens,decode_tokens,batch_seqs,prefill_attention_pairs,decode_context_tokens,step_ms
 * 128,0,1,8256,0,41.5
 * 0,8,8,0,2048,12.25
 * </pre>
 */
final class MeasuredTableCsv {
    static final List<String> COLUMNS = List.of("prefill_tokens", "decode_tokens", "batch_seqs",
            "prefill_attention_pairs", "decode_context_tokens", "step_ms");

    private MeasuredTableCsv() {
    }

    static List<MeasuredStep> read(ProfileSource csv) {
        try (var in = new BufferedReader(new InputStreamReader(csv.open(), StandardCharsets.UTF_8))) {
            return parse(csv.display(), in);
        } catch (IOException e) {
            throw new CostProfileException(csv.display(), "measured.csv", "cannot be read: " + e, e);
        }
    }

    private static List<MeasuredStep> parse(String name, BufferedReader in) throws IOException {
        int[] columnOf = null; // position in the line of each of COLUMNS
        var rows = new ArrayList<MeasuredStep>();
        int lineNumber = 0;
        for (String line; (line = in.readLine()) != null; ) {
            lineNumber++;
            var trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
            var cells = trimmed.split(",", -1);
            var where = name + " line " + lineNumber;
            if (columnOf == null) {
                columnOf = header(where, cells);
            } else {
                rows.add(row(where, cells, columnOf));
            }
        }
        if (columnOf == null) throw new CostProfileException(name, "header", "is missing; the table needs a header line with " + String.join(",", COLUMNS));
        return rows;
    }

    private static int[] header(String where, String[] cells) {
        var columnOf = new int[COLUMNS.size()];
        Arrays.fill(columnOf, -1);
        for (int i = 0; i < cells.length; i++) {
            var cell = cells[i].strip();
            int c = COLUMNS.indexOf(cell);
            if (c < 0) throw new CostProfileException(where, "column '" + cell + "'", "is not a known column; accepted: " + String.join(", ", COLUMNS));
            if (columnOf[c] >= 0) throw new CostProfileException(where, "column '" + cell + "'", "appears twice");
            columnOf[c] = i;
        }
        for (int c = 0; c < COLUMNS.size(); c++) {
            if (columnOf[c] < 0) throw new CostProfileException(where, "column '" + COLUMNS.get(c) + "'", "is missing from the header; needed: " + String.join(", ", COLUMNS));
        }
        return columnOf;
    }

    private static MeasuredStep row(String where, String[] cells, int[] columnOf) {
        if (cells.length != columnOf.length) {
            throw new CostProfileException(where, "row", "has " + cells.length + " cells, the header has " + columnOf.length);
        }
        var v = new double[COLUMNS.size()];
        for (int c = 0; c < v.length; c++) {
            var cell = cells[columnOf[c]].strip();
            try {
                v[c] = Double.parseDouble(cell);
            } catch (NumberFormatException e) {
                throw new CostProfileException(where, COLUMNS.get(c), "must be a number, was '" + cell + "'");
            }
            boolean wholeNumberColumn = c < 5;
            if (wholeNumberColumn && (v[c] != Math.rint(v[c]) || Math.abs(v[c]) > (c < 3 ? Integer.MAX_VALUE : 0x1p53))) {
                throw new CostProfileException(where, COLUMNS.get(c), "must be a whole number in range, was '" + cell + "'");
            }
        }
        try {
            return new MeasuredStep((int) v[0], (int) v[1], (int) v[2], (long) v[3], (long) v[4], v[5]);
        } catch (CostProfileException e) {
            throw e.inSource(where);
        }
    }
}

package servelab.runtime.record;

import static servelab.runtime.record.ImportedRun.nanos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import servelab.datasets.CsvRows;
import servelab.datasets.TraceFormatException;

/**
 * Imports Vidur's {@code request_metrics.csv} as a run folder with a requests table.
 *
 * <p>Vidur (vidur/metrics/metrics_store.py) writes one row per request, joining its per-request series on
 * {@code Request Id}; every time is in seconds of simulated time. The columns used here:
 * <pre>
 * Request Id                     request id; ids follow arrival order
 * request_inter_arrival_delay    arrival minus the previous request's arrival (the first: its arrival, or empty)
 * request_scheduling_delay       first schedule - arrival
 * prefill_e2e_time               first output token - arrival (Vidur's prefill completion yields the first token)
 * request_e2e_time               completion - arrival; empty when the request did not complete
 * request_num_prefill_tokens     prompt tokens
 * request_num_decode_tokens      output tokens, the first one included
 * request_num_restarts           restarts (preemptions by recomputation)
 * </pre>
 * Mapping: arrival = sum of the inter-arrival delays up to the request, the first's included (Vidur's clock starts
 * at 0 and its first request arrives at its delay; at 0 when that field is empty; without
 * the column every arrival is 0, as run.json then says); first scheduled, first token and completion are arrival
 * plus the delays above; preemptions = restarts. A request without {@code request_e2e_time} is written as failed
 * ("not completed when the simulation ended"). Unknown to Vidur, hence null: replica, cached prefix tokens,
 * per-token times and ITLs, speculative-decoding counts. Vidur's {@code request_e2e_time_normalized} equals our
 * {@code e2el_per_output_token_ms} (divided by 1000).
 */
public final class VidurImporter {

    private static final String ID = "Request Id";
    private static final List<String> REQUIRED = List.of(ID, "request_e2e_time", "prefill_e2e_time",
            "request_num_prefill_tokens", "request_num_decode_tokens");
    private static final String INTER_ARRIVAL = "request_inter_arrival_delay";
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final String SCHEDULING_DELAY = "request_scheduling_delay";
    private static final String RESTARTS = "request_num_restarts";

    private VidurImporter() {
    }

    /**
     * Reads {@code file} and writes {@code runDir}/requests.arrow and run.json.
     *
     * @return the number of requests imported
     * @throws ImportException naming the file, line and column that is missing or malformed
     */
    public static int importTo(Path file, Path runDir) throws IOException {
        if (Files.isDirectory(file)) throw new ImportException(file, "is a folder; give the file in it");
        var csv = Csv.read(file);
        for (String column : REQUIRED) {
            if (!csv.columns.containsKey(column)) {
                throw new ImportException(file, "line 1: column '" + column + "' is missing; a Vidur request_metrics.csv"
                        + " has " + REQUIRED + " and more; this header has " + csv.columns.keySet());
            }
        }
        var lines = new ArrayList<>(csv.lines);
        // ids follow arrival order, and arrivals are only given as delays between neighbours: walk in id order
        lines.sort(Comparator.comparingLong(l -> l.id));
        var requests = new ArrayList<TableColumns.RequestEntry>(lines.size());
        double arrivalS = 0;
        for (var line : lines) {
            arrivalS += line.seconds(INTER_ARRIVAL).orElse(0);
            if (arrivalS > ImportedRun.MAX_SECONDS) {
                throw line.error(INTER_ARRIVAL, "the delays up to this line put the arrival more than 1e9 seconds (about "
                        + "31 years) after the first");
            }
            requests.add(request(line, nanos(arrivalS)));
        }
        if (requests.isEmpty()) throw new ImportException(file, "holds no requests: only a header");
        ImportedRun.write(runDir, requests, runInfo(file, csv.columns.containsKey(INTER_ARRIVAL)));
        return requests.size();
    }

    private static TableColumns.RequestEntry request(Csv.Line line, long arrival) throws ImportException {
        int input = line.count("request_num_prefill_tokens");
        int output = line.count("request_num_decode_tokens");
        int restarts = line.has(RESTARTS) && !line.isEmpty(RESTARTS) ? line.count(RESTARTS) : -1;
        var e2e = line.seconds("request_e2e_time");
        RequestRow row;
        if (e2e.isEmpty()) {
            // Vidur's decode count is what the request asks for: how many it produced before the end is unknown
            row = new RequestRow(line.id, -1, "default", 0, arrival, -1, -1, -1, input, 0, -1, restarts,
                    new long[0], -1, -1, -1, "not completed when the Vidur simulation ended (" + output
                    + " decode tokens asked; how many were produced is not in Vidur's file)");
        } else {
            var scheduling = line.seconds(SCHEDULING_DELAY);
            long scheduled = scheduling.isPresent() ? arrival + nanos(scheduling.getAsDouble()) : -1;
            long firstToken = arrival + nanos(line.required("prefill_e2e_time"));
            if (scheduled > firstToken) {
                throw line.error(SCHEDULING_DELAY, "the scheduling delay is longer than prefill_e2e_time (the first"
                        + " token cannot come before the request is scheduled)");
            }
            if (nanos(e2e.getAsDouble()) < firstToken - arrival) {
                throw line.error("request_e2e_time", "shorter than prefill_e2e_time (the request cannot end before its"
                        + " first token)");
            }
            row = new RequestRow(line.id, -1, "default", 0, arrival, scheduled, firstToken,
                    arrival + nanos(e2e.getAsDouble()), input, output, -1, restarts, new long[0], -1, -1, -1, "");
        }
        return new TableColumns.RequestEntry(row, RequestMetrics.of(row, Slo.NONE));
    }

    private static Map<String, Object> runInfo(Path file, boolean arrivalsKnown) {
        var info = new LinkedHashMap<String, Object>();
        info.put("source", "vidur");
        info.put("imported_from", file.getFileName().toString());
        info.put("arrival_times", arrivalsKnown ? "cumulative request_inter_arrival_delay, the first request's own "
                + "included (the first request at its delay, 0 when empty)"
                : "unknown (no request_inter_arrival_delay column): every request is placed at 0");
        return info;
    }

    /**
     * The CSV pandas' {@code DataFrame.to_csv(index=False)} writes for numeric series (a header line, comma-separated
     * fields, NaN as an empty field), read with datasets' {@link CsvRows}.
     */
    static final class Csv {
        final Path file;
        final Map<String, Integer> columns = new LinkedHashMap<>();
        final List<Line> lines = new ArrayList<>();

        private Csv(Path file) {
            this.file = file;
        }

        static Csv read(Path file) throws IOException {
            var csv = new Csv(file);
            try (var rows = CsvRows.open(file)) {
                var header = rows.header();
                if (header.isEmpty()) throw new ImportException(file, "empty file; expected a header line with " + REQUIRED);
                for (int c = 0; c < header.size(); c++) csv.columns.put(header.get(c), c);
                if (!csv.columns.containsKey(ID)) {
                    // every line is keyed by its id, read while the line is parsed (found by fuzz/run: a NullPointerException)
                    throw new ImportException(file, "no " + ID + " column in the header; expected " + REQUIRED);
                }
                var seen = new HashMap<Long, Integer>();
                while (rows.next()) {
                    int number = (int) rows.line();
                    if (rows.size() != header.size()) {
                        throw new ImportException(file, "line " + number + ": " + rows.size() + " fields, the header has "
                                + header.size());
                    }
                    var f = new String[rows.size()];
                    for (int c = 0; c < f.length; c++) f[c] = rows.field(c);
                    var line = csv.new Line(number, f);
                    Integer previous = seen.put(line.id, number);
                    if (previous != null) {
                        throw new ImportException(file, "line " + number + ": " + ID + " " + line.id + " already on line " + previous);
                    }
                    csv.lines.add(line);
                }
            } catch (TraceFormatException e) {
                throw ImportException.naming(file, e);
            }
            return csv;
        }

        /** One data line; values are read by column name, and errors name the line and the column. */
        final class Line {
            final int number;
            final String[] fields;
            final long id;

            Line(int number, String[] fields) throws ImportException {
                this.number = number;
                this.fields = fields;
                this.id = count(ID);
            }

            boolean has(String column) {
                return columns.containsKey(column);
            }

            boolean isEmpty(String column) {
                var v = fields[columns.get(column)];
                return v.isEmpty() || v.equalsIgnoreCase("nan");
            }

            /** A number of seconds, empty when the column is absent or the field is empty (NaN). */
            OptionalDouble seconds(String column) throws ImportException {
                if (!has(column) || isEmpty(column)) return OptionalDouble.empty();
                double v = number(column);
                if (v < 0) throw error(column, "must be seconds >= 0, was " + v);
                if (v > ImportedRun.MAX_SECONDS) {
                    throw error(column, "must be at most 1e9 seconds (about 31 years), was " + v);
                }
                return OptionalDouble.of(v);
            }

            double required(String column) throws ImportException {
                var v = seconds(column);
                if (v.isEmpty()) throw error(column, "is empty, but the request completed");
                return v.getAsDouble();
            }

            /** A whole number; pandas writes integer columns holding a NaN as floats ("12.0"). */
            int count(String column) throws ImportException {
                if (isEmpty(column)) throw error(column, "is empty; a count is needed");
                double v = number(column);
                if (v < 0 || v != Math.rint(v) || v > Integer.MAX_VALUE) {
                    throw error(column, "must be a whole number >= 0, was '" + fields[columns.get(column)] + "'");
                }
                return (int) v;
            }

            private double number(String column) throws ImportException {
                var text = fields[columns.get(column)];
                try {
                    // a decimal as pandas writes one; Java's parser alone also takes 2f, 1d and hex floats
                    if (!DECIMAL.matcher(text).matches()) throw new NumberFormatException(text);
                    double v = Double.parseDouble(text);
                    if (Double.isFinite(v)) return v;
                } catch (NumberFormatException e) {
                    // reported below
                }
                throw error(column, "not a number: '" + text + "'");
            }

            ImportException error(String column, String problem) {
                return new ImportException(file, "line " + number + ", column '" + column + "': " + problem);
            }
        }
    }
}

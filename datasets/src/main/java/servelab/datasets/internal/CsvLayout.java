package servelab.datasets.internal;

import java.util.List;
import java.util.Optional;

import servelab.datasets.ReadOptions;
import servelab.datasets.TraceFormat;
import servelab.datasets.TraceFormatException;

/**
 * Where a CSV format's values sit in one file, found by header name (0-based indices; -1 when absent).
 *
 * @param timeKind whether the time column holds wall-clock date-times or seconds from the trace's zero
 */
record CsvLayout(TraceFormat format, List<String> header, int time, TimeKind timeKind, int input, int output,
                 int tenant, int priority) {

    enum TimeKind {
        /** {@code 2023-11-16 18:15:46.6805900}: see {@link Timestamps}. */
        DATE_TIME,
        /** Decimal seconds: see {@link Numbers#parseSecondsNanos}. */
        SECONDS
    }

    /** The columns a format takes its values from. */
    private record Names(String time, TimeKind timeKind, String input, String output) {
    }

    /**
     * The layout of {@code format} in a file whose first line is {@code header}. A required column that is
     * missing is an error naming it and listing the header found.
     */
    static CsvLayout resolve(TraceFormat format, List<String> header, ReadOptions options, String fileName) {
        for (int i = 0; i < header.size(); i++) { // which of two equal names would be read is a guess: refuse it
            int again = header.subList(i + 1, header.size()).indexOf(header.get(i));
            if (again >= 0 && !header.get(i).isEmpty()) {
                throw TraceFormatException.ofColumn(fileName, 1, i + again + 2, header.get(i), null,
                        "the header names this column twice (columns " + (i + 1) + " and " + (i + again + 2) + ")");
            }
        }
        for (var column : format.requiredColumns()) required(format, header, column, fileName);
        var names = switch (format) {
            case AZURE_CSV -> new Names("TIMESTAMP", TimeKind.DATE_TIME, "ContextTokens", "GeneratedTokens");
            case BURSTGPT_CSV -> new Names("Timestamp", TimeKind.SECONDS, "Request tokens", "Response tokens");
            case VIDUR_CSV -> new Names("arrived_at", TimeKind.SECONDS, "num_prefill_tokens", "num_decode_tokens");
            case MOONCAKE_JSONL -> throw new IllegalArgumentException("mooncake-jsonl is not a CSV format");
        };
        // each name is a required column, so indexOf finds it
        int time = header.indexOf(names.time());
        int input = header.indexOf(names.input());
        int output = header.indexOf(names.output());
        var kind = names.timeKind();
        int tenant = tenantColumn(format, header, options.tenantColumn(), fileName);
        int priority = format == TraceFormat.VIDUR_CSV ? header.indexOf("priority") : -1;
        return new CsvLayout(format, List.copyOf(header), time, kind, input, output, tenant, priority);
    }

    /**
     * The tenant column: the one {@link ReadOptions#tenantColumn()} names, else {@code Model} for BurstGPT (present
     * in v1 and v3, so both layouts give the same tenants), else {@code tenant} in Vidur CSV when present (what
     * {@code TraceWriter} writes).
     */
    private static int tenantColumn(TraceFormat format, List<String> header, Optional<String> named, String fileName) {
        if (named.isPresent()) {
            int index = header.indexOf(named.get());
            if (index < 0) {
                throw TraceFormatException.ofLine(fileName, 1, null, "missing column '" + named.get()
                        + "' named by ReadOptions.tenantColumn; the header has " + header);
            }
            return index;
        }
        return switch (format) {
            case BURSTGPT_CSV -> header.indexOf("Model");
            case VIDUR_CSV -> header.indexOf("tenant");
            case AZURE_CSV, MOONCAKE_JSONL -> -1;
        };
    }

    private static void required(TraceFormat format, List<String> header, String column, String fileName) {
        if (!header.contains(column)) {
            throw TraceFormatException.ofLine(fileName, 1, null, "missing column '" + column + "' required by "
                    + format.id() + " (" + String.join(",", format.requiredColumns()) + "); the header has "
                    + header);
        }
    }
}

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

    /**
     * The layout of {@code format} in a file whose first line is {@code header}. A required column that is
     * missing is an error naming it and listing the header found.
     */
    static CsvLayout resolve(TraceFormat format, List<String> header, ReadOptions options, String fileName) {
        for (var column : format.requiredColumns()) required(format, header, column, fileName);
        var names = format.requiredColumns();
        boolean burst = format == TraceFormat.BURSTGPT_CSV;
        int time = header.indexOf(names.get(0));
        int input = header.indexOf(names.get(burst ? 2 : 1));
        int output = header.indexOf(names.get(burst ? 3 : 2));
        var kind = format == TraceFormat.AZURE_CSV ? TimeKind.DATE_TIME : TimeKind.SECONDS;
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

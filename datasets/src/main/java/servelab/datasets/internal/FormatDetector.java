package servelab.datasets.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import servelab.datasets.TraceFormat;
import servelab.datasets.TraceFormatException;

/**
 * Picks the format of a trace file: the extension says CSV or JSON lines (a trailing {@code .gz} is looked
 * through), and the first line says which of each: the CSV format whose required columns all appear in the
 * header, or a JSON object that has Mooncake's {@code timestamp} and {@code input_length}.
 */
public final class FormatDetector {
    private FormatDetector() {
    }

    public static TraceFormat detect(Path file) throws IOException {
        var name = fileName(file);
        var base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        try (var lines = LineReader.open(file)) {
            if (!lines.next()) throw TraceFormatException.ofFile(name, "empty file: " + knownFormatsHint());
            var first = new String(lines.buffer(), lines.start(), lines.end() - lines.start(),
                    StandardCharsets.UTF_8).strip();
            boolean jsonExtension = base.endsWith(".jsonl") || base.endsWith(".json") || base.endsWith(".ndjson");
            if (jsonExtension || (!base.endsWith(".csv") && first.startsWith("{"))) {
                if (first.startsWith("{") && first.contains("\"timestamp\"") && first.contains("\"input_length\"")) {
                    return TraceFormat.MOONCAKE_JSONL;
                }
                throw TraceFormatException.ofLine(name, 1, null, "a JSON line without Mooncake's \"timestamp\" and "
                        + "\"input_length\" fields matches no known format; " + knownFormatsHint());
            }
            var csv = new CsvFields();
            List<String> header = csv.split(lines.buffer(), lines.start(), lines.end()) < 0 ? List.of(first) : csv.texts();
            for (var format : TraceFormat.values()) {
                if (format != TraceFormat.MOONCAKE_JSONL && header.containsAll(format.requiredColumns())) return format;
            }
            throw TraceFormatException.ofLine(name, 1, null, "header " + header + " matches no known format; "
                    + knownFormatsHint());
        }
    }

    private static String knownFormatsHint() {
        return "known formats: " + TraceFormat.knownFormats();
    }

    /** The name messages show for {@code file}. */
    public static String fileName(Path file) {
        var name = file.getFileName();
        return name == null ? file.toString() : name.toString();
    }
}

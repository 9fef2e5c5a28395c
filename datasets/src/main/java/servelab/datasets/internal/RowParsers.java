package servelab.datasets.internal;

import java.io.IOException;
import java.nio.file.Path;

import servelab.datasets.ReadOptions;
import servelab.datasets.TraceFormat;

/** Opens the {@link RowParser} for a file of a known format. */
public final class RowParsers {
    private RowParsers() {
    }

    public static RowParser open(Path file, TraceFormat format, ReadOptions options) throws IOException {
        var name = FormatDetector.fileName(file);
        var lines = LineReader.open(file);
        try {
            return switch (format) {
                case AZURE_CSV, BURSTGPT_CSV, VIDUR_CSV -> CsvRowParser.open(lines, name, format, options);
                case MOONCAKE_JSONL -> new MooncakeRowParser(lines, name, options);
            };
        } catch (IOException | RuntimeException e) {
            lines.close();
            throw e;
        }
    }
}

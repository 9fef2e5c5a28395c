package servelab.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.code_intelligence.jazzer.junit.FuzzTest;

import servelab.datasets.ReadOptions;
import servelab.datasets.TraceFormat;
import servelab.datasets.TraceFormatException;
import servelab.datasets.Traces;

/**
 * The trace readers on arbitrary bytes, one target per format (the format forced, so every parser is reached) and
 * one through format detection. Property: every request is read, or a {@link TraceFormatException} names the file.
 */
class TraceReaderFuzzTest {

    private static void read(byte[] bytes, String fileName, TraceFormat format) throws IOException {
        Path file = Inputs.write(fileName, bytes);
        try (var reader = format == null ? Traces.open(file, ReadOptions.skippingBadRows())
                : Traces.open(file, format, ReadOptions.DEFAULT)) {
            reader.stream().forEach(r -> { });
        } catch (TraceFormatException e) {
            Inputs.requireNamed(e, fileName);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @FuzzTest(maxDuration = "6s")
    void azureCsv(byte[] bytes) throws IOException {
        read(bytes, "azure.csv", TraceFormat.AZURE_CSV);
    }

    @FuzzTest(maxDuration = "6s")
    void burstGptCsv(byte[] bytes) throws IOException {
        read(bytes, "burstgpt.csv", TraceFormat.BURSTGPT_CSV);
    }

    @FuzzTest(maxDuration = "6s")
    void mooncakeJsonl(byte[] bytes) throws IOException {
        read(bytes, "mooncake.jsonl", TraceFormat.MOONCAKE_JSONL);
    }

    @FuzzTest(maxDuration = "6s")
    void vidurCsv(byte[] bytes) throws IOException {
        read(bytes, "vidur.csv", TraceFormat.VIDUR_CSV);
    }

    @FuzzTest(maxDuration = "6s")
    void detected(byte[] bytes) throws IOException {
        read(bytes, "trace.csv", null);
    }
}

package servelab.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AzureReaderTest {
    @TempDir
    Path dir;

    private static final String HEADER = "TIMESTAMP,ContextTokens,GeneratedTokens\r\n";

    @Test
    void readsThe2023LayoutWithArrivalsRelativeToTheFirstRow() throws IOException {
        var file = TraceFiles.write(dir, "azure.csv", HEADER
                + "2023-11-16 18:15:46.6805900,374,44\r\n"
                + "2023-11-16 18:15:50.9951690,396,109\r\n");
        // then: ids from 0, the first request at 0, the second 4.314579 s later, to the 100 ns
        assertEquals(List.of(TraceRequest.of(0, 0, 374, 44), TraceRequest.of(1, 4_314_579_000L, 396, 109)),
                Traces.readAll(file, ReadOptions.DEFAULT));
    }

    @Test
    void readsThe2024LayoutWithMicrosecondsAndOffset() throws IOException {
        var file = TraceFiles.write(dir, "AzureLLMInferenceTrace_code_1week.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                + "2024-05-10 00:00:00.009930+00:00,2162,5\n"
                + "2024-05-10 00:00:00.019940+00:00,1200,17\n"
                + "2024-05-10 00:00:01+00:00,80,3\n");
        try (var reader = Traces.open(file)) {
            assertEquals(TraceFormat.AZURE_CSV, reader.format());
            assertEquals(List.of(0L, 10_010_000L, 990_070_000L),
                    reader.stream().map(TraceRequest::arrivalNanos).toList());
        }
    }

    @Test
    void findsColumnsByNameInAnyOrder() throws IOException {
        var file = TraceFiles.write(dir, "azure.csv", "GeneratedTokens,extra,TIMESTAMP,ContextTokens\n"
                + "44,x,2023-11-16 18:15:46.6805900,374\n");
        assertEquals(List.of(TraceRequest.of(0, 0, 374, 44)), Traces.readAll(file, ReadOptions.DEFAULT));
    }

    @Test
    void skipsAndCountsZeroTokenRowsByDefault() throws IOException {
        var file = TraceFiles.write(dir, "azure.csv", HEADER
                + "2023-11-16 18:15:46.0000000,0,44\r\n"
                + "2023-11-16 18:15:47.0000000,374,44\r\n"
                + "2023-11-16 18:15:48.0000000,10,0\r\n"
                + "2023-11-16 18:15:49.0000000,10,20\r\n");
        try (var reader = Traces.open(file)) {
            // then: the file's first row sets time 0, skipped or not (so a window keeps the rows it keeps when they
            // are clamped), and ids stay contiguous over the skipped ones
            assertEquals(List.of(TraceRequest.of(0, 1_000_000_000L, 374, 44), TraceRequest.of(1, 3_000_000_000L, 10, 20)),
                    reader.toList());
            assertEquals(Map.of(SkipReason.ZERO_TOKENS, 2L), reader.skippedRows());
        }
    }

    @Test
    void clampsZeroTokenRowsToOneWhenAsked() throws IOException {
        var file = TraceFiles.write(dir, "azure.csv", HEADER
                + "2023-11-16 18:15:46.0000000,0,44\r\n"
                + "2023-11-16 18:15:48.0000000,10,0\r\n");
        try (var reader = Traces.open(file, ReadOptions.DEFAULT.withZeroTokens(ReadOptions.ZeroTokens.CLAMP_TO_ONE))) {
            assertEquals(List.of(TraceRequest.of(0, 0, 1, 44), TraceRequest.of(1, 2_000_000_000L, 10, 1)), reader.toList());
            assertEquals(2, reader.clampedRows());
            assertEquals(Map.of(), reader.skippedRows());
        }
    }

    @Test
    void readsTheSharedConversationSliceCompletely() throws IOException {
        var file = TraceFiles.sharedTrace("azure_llm_2023/AzureLLMInferenceTrace_conv.before_1845.csv");
        var requests = Traces.readAll(file, ReadOptions.DEFAULT);
        // then: the README's row count and first/last arrivals (18:15:46.6805900 .. 18:44:59.9377300)
        assertEquals(9_754, requests.size());
        assertEquals(1_753_257_140_000L, requests.getLast().arrivalNanos());
        assertEquals(new TraceRequest(9_753, 1_753_257_140_000L, 4159, 68, "default", 0, new long[0], 0),
                requests.getLast());
    }
}

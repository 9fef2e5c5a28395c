package servelab.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VidurReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsFloatSecondsToTheNanosecondAndIgnoresExtraColumns() throws IOException {
        // as in Vidur's data/processed_traces/splitwise_conv.csv, float noise included
        var file = TraceFiles.write(dir, "splitwise_conv.csv", """
                arrived_at,num_prefill_tokens,num_decode_tokens,num_total_tokens
                0.0,374,44,418
                4.314579,396,109,505
                5.8926549999999995,91,16,107
                """);
        var requests = Traces.readAll(file, ReadOptions.DEFAULT);
        assertEquals(List.of(TraceRequest.of(0, 0, 374, 44), TraceRequest.of(1, 4_314_579_000L, 396, 109),
                TraceRequest.of(2, 5_892_655_000L, 91, 16)), requests);
    }

    @Test
    void readsTenantAndPriorityColumnsWhenPresent() throws IOException {
        var file = TraceFiles.write(dir, "trace.csv", """
                arrived_at,num_prefill_tokens,num_decode_tokens,tenant,priority
                1.25,10,2,alice,-1
                2,20,3,,0
                """);
        assertEquals(List.of(new TraceRequest(0, 0, 10, 2, "alice", -1, new long[0], 0),
                new TraceRequest(1, 750_000_000L, 20, 3, "default", 0, new long[0], 0)),
                Traces.readAll(file, ReadOptions.DEFAULT));
    }
}

package servelab.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BurstGptReaderTest {
    @TempDir
    Path dir;

    private static final String V1 = "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n"
            + "5,ChatGPT,472,18,490,Conversation log\n"
            + "45,ChatGPT,1087,230,1317,Conversation log\n"
            + "118,GPT-4,417,276,693,Conversation log\n"
            + "130,GPT-4,0,0,0,Conversation log\n";

    private static final String V3 = "Timestamp,Session ID,Elapsed time,Model,Request tokens,Response tokens,Total tokens,Log Type\n"
            + "5,s-17,0,ChatGPT,472,18,490,Conversation log\n"
            + "45.5,s-17,40.5,ChatGPT,1087,230,1317,Conversation log\n"
            + "118,\"s,9\",0,GPT-4,417,276,693,\"API log\"\n";

    private static TraceRequest request(long id, long arrivalNanos, int in, int out, String tenant) {
        return new TraceRequest(id, arrivalNanos, in, out, tenant, 0, new long[0], 0);
    }

    @Test
    void readsV1WithTheModelAsTenantAndSkipsFailedRequests() throws IOException {
        var file = TraceFiles.write(dir, "BurstGPT_1.csv", V1);
        try (var reader = Traces.open(file)) {
            assertEquals(TraceFormat.BURSTGPT_CSV, reader.format());
            assertEquals(List.of(
                    request(0, 0, 472, 18, "ChatGPT"),
                    request(1, 40_000_000_000L, 1087, 230, "ChatGPT"),
                    request(2, 113_000_000_000L, 417, 276, "GPT-4")), reader.toList());
            // then: the failure (0 request and 0 response tokens) is counted, not replayed
            assertEquals(Map.of(SkipReason.ZERO_TOKENS, 1L), reader.skippedRows());
        }
    }

    @Test
    void readsV3ByColumnNameWithTheModelAsTenantByDefault() throws IOException {
        var file = TraceFiles.write(dir, "BurstGPT_3.csv", V3);
        assertEquals(List.of(
                request(0, 0, 472, 18, "ChatGPT"),
                request(1, 40_500_000_000L, 1087, 230, "ChatGPT"),
                request(2, 113_000_000_000L, 417, 276, "GPT-4")), Traces.readAll(file, ReadOptions.DEFAULT));
    }

    @Test
    void usesTheSessionAsTenantWhenTheOptionNamesIt() throws IOException {
        var file = TraceFiles.write(dir, "BurstGPT_3.csv", V3);
        var tenants = Traces.readAll(file, ReadOptions.DEFAULT.withTenantColumn("Session ID")).stream()
                .map(TraceRequest::tenant).toList();
        // then: the quoted session id keeps its comma
        assertEquals(List.of("s-17", "s-17", "s,9"), tenants);
    }

    @Test
    void readsTheSharedFixtureWithItsFourFailures() throws IOException {
        var file = TraceFiles.sharedTrace("burstgpt/BurstGPT_1.first42rows.csv");
        try (var reader = Traces.open(file)) {
            var requests = reader.toList();
            assertEquals(38, requests.size());
            assertEquals(Map.of(SkipReason.ZERO_TOKENS, 4L), reader.skippedRows());
            // then: timestamps 5 .. 4725 s, so the first kept request is at 0
            assertEquals(request(0, 0, 472, 18, "ChatGPT"), requests.getFirst());
        }
    }
}

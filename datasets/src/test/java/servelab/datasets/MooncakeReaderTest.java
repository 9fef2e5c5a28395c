package servelab.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MooncakeReaderTest {
    @TempDir
    Path dir;

    @Test
    void readsPrefixBlocksAsMooncakeHashIdsOf512Tokens() throws IOException {
        var file = TraceFiles.write(dir, "trace.jsonl", """
                {"timestamp": 0, "input_length": 1100, "output_length": 500, "hash_ids": [0, 1, 2]}
                {"timestamp": 3000, "input_length": 600, "output_length": 3, "hash_ids": [0, 7]}
                """);
        var requests = Traces.readAll(file, ReadOptions.DEFAULT);
        // then: ms become ns, and the ids keep their order
        assertEquals(List.of(
                new TraceRequest(0, 0, 1100, 500, "default", 0, new long[]{0, 1, 2}, 512),
                new TraceRequest(1, 3_000_000_000L, 600, 3, "default", 0, new long[]{0, 7}, 512)), requests);
    }

    @Test
    void readsServeLabExtensionsAndIgnoresUnknownFields() throws IOException {
        var file = TraceFiles.write(dir, "trace.jsonl", """
                {"timestamp": 1.5, "input_length": 64, "output_length": 8, "hash_ids": [4, 5], "block_size": 32, "tenant": "a", "priority": -2, "note": {"x": [1]}}
                {"timestamp": 2.000001, "input_length": 10.0, "output_length": 1, "hash_ids": []}
                """);
        var requests = Traces.readAll(file, ReadOptions.DEFAULT);
        assertEquals(new TraceRequest(0, 0, 64, 8, "a", -2, new long[]{4, 5}, 32), requests.get(0));
        // then: decimal milliseconds are exact (2.000001 ms - 1.5 ms = 500,001 ns); no blocks means block size 0
        assertEquals(new TraceRequest(1, 500_001, 10, 1, "default", 0, new long[0], 0), requests.get(1));
    }

    @Test
    void readsTheWholeSharedConversationTrace() throws IOException {
        var file = TraceFiles.sharedTrace("mooncake_fast25/conversation_trace.jsonl");
        var requests = Traces.readAll(file, ReadOptions.DEFAULT);
        assertEquals(12_031, requests.size());
        assertEquals(3_536_999_000_000L, requests.getLast().arrivalNanos());
        assertArrayEquals(new long[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, requests.getFirst().prefixBlockIds());
        // then: the README's invariant len(hash_ids) == ceil(input_length / 512) holds on every row
        for (var r : requests) assertEquals((r.inputTokens() + 511) / 512, r.prefixBlockIds().length, r.toString());
    }
}

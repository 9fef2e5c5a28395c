package servelab.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGeneratorFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceWriterTest {
    @TempDir
    Path dir;

    private static final List<TraceRequest> SMALL = List.of(
            new TraceRequest(0, 0, 1100, 500, "default", 0, new long[]{0, 1, 2}, 512),
            new TraceRequest(1, 1_500_000_001L, 7, 1, "alice, \"the\" tenant", -3, new long[0], 0),
            new TraceRequest(2, 3_000_000_000L, 64, 9, "bob", 2, new long[]{0, 9}, 32));

    @Test
    void writesVidurCsvThatVidurAndServeLabRead() throws IOException {
        var file = dir.resolve("trace.csv");
        TraceWriter.writeVidurCsv(file, SMALL);
        assertEquals("""
                arrived_at,num_prefill_tokens,num_decode_tokens,tenant,priority
                0.0,1100,500,default,0
                1.500000001,7,1,"alice, ""the"" tenant",-3
                3.0,64,9,bob,2
                """, Files.readString(file));
    }

    @Test
    void writesMooncakeJsonLines() throws IOException {
        var file = dir.resolve("trace.jsonl");
        TraceWriter.writeMooncakeJsonl(file, SMALL);
        assertEquals("""
                {"timestamp":0,"input_length":1100,"output_length":500,"hash_ids":[0,1,2]}
                {"timestamp":1500.000001,"input_length":7,"output_length":1,"hash_ids":[],"tenant":"alice, \\"the\\" tenant","priority":-3}
                {"timestamp":3000,"input_length":64,"output_length":9,"hash_ids":[0,9],"block_size":32,"tenant":"bob","priority":2}
                """, Files.readString(file));
    }

    @Test
    void mooncakeJsonLinesReadBackToTheSameRequests() throws IOException {
        var file = dir.resolve("trace.jsonl");
        TraceWriter.writeMooncakeJsonl(file, SMALL);
        assertEquals(SMALL, Traces.readAll(file, ReadOptions.DEFAULT));
    }

    @Test
    void vidurCsvReadsBackToTheSameRequestsWithoutPrefixBlocks() throws IOException {
        var file = dir.resolve("trace.csv");
        TraceWriter.writeVidurCsv(file, SMALL);
        var expected = SMALL.stream().map(r -> new TraceRequest(r.id(), r.arrivalNanos(), r.inputTokens(),
                r.outputTokens(), r.tenant(), r.priority(), new long[0], 0)).toList();
        assertEquals(expected, Traces.readAll(file, ReadOptions.DEFAULT));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void seededRandomTracesSurviveBothRoundTrips(long seed) throws IOException {
        var random = RandomGeneratorFactory.of("L64X128MixRandom").create(seed);
        var requests = new ArrayList<TraceRequest>();
        long arrival = 0;
        for (int i = 0; i < 500; i++) {
            int input = 1 + random.nextInt(100_000);
            // at most one id per 512-token block of the prompt (the reader refuses ids past the prompt's end)
            var blocks = random.longs(random.nextInt(Math.min(4, (input + 511) / 512 + 1)), 0, Long.MAX_VALUE).toArray();
            requests.add(new TraceRequest(i, arrival, input, 1 + random.nextInt(4_000),
                    "t" + random.nextInt(5), random.nextInt(-2, 3), blocks, blocks.length == 0 ? 0 : 512));
            arrival += random.nextLong(3_000_000_000L);
        }
        var jsonl = dir.resolve("random.jsonl");
        TraceWriter.writeMooncakeJsonl(jsonl, requests);
        assertEquals(requests, Traces.readAll(jsonl, ReadOptions.DEFAULT), "seed " + seed);
        var csv = dir.resolve("random.csv");
        TraceWriter.writeVidurCsv(csv, requests);
        var read = Traces.readAll(csv, ReadOptions.DEFAULT);
        for (int i = 0; i < requests.size(); i++) {
            var r = requests.get(i);
            assertEquals(new TraceRequest(r.id(), r.arrivalNanos(), r.inputTokens(), r.outputTokens(), r.tenant(),
                    r.priority(), new long[0], 0), read.get(i), "seed " + seed + ", request " + i);
        }
    }
}

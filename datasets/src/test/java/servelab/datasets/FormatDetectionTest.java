package servelab.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FormatDetectionTest {
    @TempDir
    Path dir;

    @Test
    void detectsEachCsvFormatFromItsHeader() throws IOException {
        assertEquals(TraceFormat.AZURE_CSV, Traces.detectFormat(TraceFiles.write(dir, "a.csv",
                "TIMESTAMP,ContextTokens,GeneratedTokens\r\n")));
        assertEquals(TraceFormat.BURSTGPT_CSV, Traces.detectFormat(TraceFiles.write(dir, "b.csv",
                "Timestamp,Session ID,Elapsed time,Model,Request tokens,Response tokens,Total tokens,Log Type\n")));
        assertEquals(TraceFormat.VIDUR_CSV, Traces.detectFormat(TraceFiles.write(dir, "c.csv",
                "arrived_at,num_prefill_tokens,num_decode_tokens\n")));
    }

    @Test
    void detectsMooncakeFromTheExtensionOrAJsonFirstLine() throws IOException {
        var line = "{\"timestamp\": 0, \"input_length\": 1, \"output_length\": 1, \"hash_ids\": [0]}\n";
        assertEquals(TraceFormat.MOONCAKE_JSONL, Traces.detectFormat(TraceFiles.write(dir, "m.jsonl", line)));
        assertEquals(TraceFormat.MOONCAKE_JSONL, Traces.detectFormat(TraceFiles.write(dir, "m.txt", line)));
    }

    @Test
    void readsGzippedTracesByLookingThroughTheSuffix() throws IOException {
        var file = dir.resolve("trace.csv.gz");
        try (var out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("arrived_at,num_prefill_tokens,num_decode_tokens\n0,5,6\n0.5,7,8\n".getBytes());
        }
        assertEquals(List.of(TraceRequest.of(0, 0, 5, 6), TraceRequest.of(1, 500_000_000L, 7, 8)),
                Traces.readAll(file, ReadOptions.DEFAULT));
    }

    @Test
    void aJsonFileWithoutMooncakeFieldsMatchesNoFormat() {
        var file = TraceFiles.write(dir, "x.jsonl", "{\"time\": 0}\n");
        var e = assertThrows(TraceFormatException.class, () -> Traces.detectFormat(file));
        assertEquals("x.jsonl:1: a JSON line without Mooncake's \"timestamp\" and \"input_length\" fields matches no "
                + "known format; known formats: " + TraceFormat.knownFormats(), e.getMessage());
    }

    @Test
    void formatIdsRoundTripAndUnknownIdsListTheKnownOnes() {
        for (var format : TraceFormat.values()) assertEquals(format, TraceFormat.fromId(format.id()));
        var e = assertThrows(IllegalArgumentException.class, () -> TraceFormat.fromId("sharegpt"));
        assertEquals("unknown trace format 'sharegpt'; known formats: " + TraceFormat.knownFormats(), e.getMessage());
    }
}

package servelab.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of bad input names file, line and column, and can be skipped and counted instead. */
class BadInputTest {
    @TempDir
    Path dir;

    private static final String HEADER = "TIMESTAMP,ContextTokens,GeneratedTokens\n";
    private static final String ROW_1 = "2023-11-16 18:15:46.6805900,374,44\n";
    private static final String ROW_2 = "2023-11-16 18:15:50.9951690,396,109\n";

    /** Reads {@code file} as Azure CSV to the end and returns the error. */
    private static TraceFormatException readFailure(Path file) {
        return assertThrows(TraceFormatException.class, () -> {
            try (var reader = Traces.open(file, TraceFormat.AZURE_CSV, ReadOptions.DEFAULT)) {
                reader.forEachRemaining(r -> { });
            }
        });
    }

    @Test
    void negativeTokensNameFileLineAndColumn() {
        var file = TraceFiles.write(dir, "azure.csv", HEADER + ROW_1 + "2023-11-16 18:15:50.9951690,396,-4\n");
        var e = readFailure(file);
        assertEquals("azure.csv:3: column 3 'GeneratedTokens': expected a non-negative integer, was '-4'", e.getMessage());
        assertEquals(OptionalLong.of(3), e.line());
        assertEquals(OptionalInt.of(3), e.columnIndex());
        assertEquals(Optional.of("GeneratedTokens"), e.columnName());
        assertEquals(Optional.of(SkipReason.BAD_VALUE), e.skipReason());
    }

    @Test
    void nonNumericTokensAreReportedWithTheirText() {
        var file = TraceFiles.write(dir, "azure.csv", HEADER + "2023-11-16 18:15:46.6805900,3x4,44\n");
        assertEquals("azure.csv:2: column 2 'ContextTokens': expected a non-negative integer, was '3x4'",
                readFailure(file).getMessage());
    }

    @Test
    void malformedTimestampsSayWhatLayoutIsExpected() {
        var file = TraceFiles.write(dir, "azure.csv", HEADER + "16/11/2023 18:15,374,44\n");
        assertEquals("azure.csv:2: column 1 'TIMESTAMP': expected a timestamp like 2023-11-16 18:15:46.6805900, "
                + "was '16/11/2023 18:15'", readFailure(file).getMessage());
    }

    @Test
    void aTruncatedLastLineIsReportedAsCutOff() {
        var file = TraceFiles.write(dir, "azure.csv", HEADER + ROW_1 + "2023-11-16 18:15:50.99");
        assertEquals("azure.csv:3: expected 3 columns (TIMESTAMP,ContextTokens,GeneratedTokens), found 1; "
                + "the file ends mid-row (truncated?)", readFailure(file).getMessage());
    }

    @Test
    void aTruncatedLastValueIsReportedAsCutOff() {
        var file = TraceFiles.write(dir, "azure.csv", HEADER + ROW_1 + "2023-11-16 18:15:50.9951690,396,");
        assertEquals("azure.csv:3: column 3 'GeneratedTokens': expected a non-negative integer, was ''; "
                + "the file ends mid-row (truncated?)", readFailure(file).getMessage());
    }

    @Test
    void aMissingColumnIsNamedWithTheHeaderFound() {
        var file = TraceFiles.write(dir, "azure.csv", "TIMESTAMP,ContextTokens,Generated\n" + ROW_1);
        var e = assertThrows(TraceFormatException.class, () -> Traces.open(file, TraceFormat.AZURE_CSV, ReadOptions.DEFAULT));
        assertEquals("azure.csv:1: missing column 'GeneratedTokens' required by azure-csv "
                + "(TIMESTAMP,ContextTokens,GeneratedTokens); the header has [TIMESTAMP, ContextTokens, Generated]",
                e.getMessage());
    }

    @Test
    void aColumnNamedTwiceIsAnError() {
        // which of the two columns is meant is a guess (the first was read, silently)
        var file = TraceFiles.write(dir, "azure.csv", "TIMESTAMP,ContextTokens,GeneratedTokens,ContextTokens\n"
                + "2023-11-16 18:15:46.6805900,100,5,999\n");
        var e = assertThrows(TraceFormatException.class, () -> Traces.open(file, TraceFormat.AZURE_CSV, ReadOptions.DEFAULT));
        assertEquals("azure.csv:1: column 4 'ContextTokens': the header names this column twice (columns 2 and 4)",
                e.getMessage());
    }

    @Test
    void aMooncakeFieldGivenTwiceIsAnError() {
        var file = TraceFiles.write(dir, "mc.jsonl", """
                {"timestamp": 0, "input_length": 10, "output_length": 5}
                {"timestamp": 1000, "input_length": 10, "output_length": 5, "timestamp": 5000}
                """);
        var e = assertThrows(TraceFormatException.class, () -> {
            try (var reader = Traces.open(file, TraceFormat.MOONCAKE_JSONL, ReadOptions.DEFAULT)) {
                reader.forEachRemaining(r -> { });
            }
        });
        assertEquals("mc.jsonl:2: field 'timestamp': the line names this field twice", e.getMessage());
    }

    @Test
    void aTenantColumnThatIsNotThereIsAnError() {
        var file = TraceFiles.write(dir, "azure.csv", HEADER + ROW_1);
        var e = assertThrows(TraceFormatException.class,
                () -> Traces.open(file, ReadOptions.DEFAULT.withTenantColumn("Session ID")));
        assertEquals("azure.csv:1: missing column 'Session ID' named by ReadOptions.tenantColumn; the header has "
                + "[TIMESTAMP, ContextTokens, GeneratedTokens]", e.getMessage());
    }

    @Test
    void aRowGoingBackInTimeNamesBothLines() {
        var file = TraceFiles.write(dir, "azure.csv", HEADER + ROW_2 + ROW_1);
        var e = readFailure(file);
        assertEquals("azure.csv:3: column 1 'TIMESTAMP': arrival 2023-11-16T18:15:46.680590Z is earlier than "
                + "2023-11-16T18:15:50.995169Z on line 2; rows must be in arrival order", e.getMessage());
        assertEquals(Optional.of(SkipReason.OUT_OF_ORDER), e.skipReason());
    }

    @Test
    void aRowMoreThan292YearsAfterTheFirstIsABadValueNotANegativeArrival() throws IOException {
        // found by TraceReaderFuzzTest#azureCsv: 1719 to 2023 is more nanoseconds than a long holds
        var file = TraceFiles.write(dir, "azure.csv", HEADER + "1719-11-16 18:15:46.6805900,374,44\n" + ROW_2);
        var e = readFailure(file);
        assertEquals("azure.csv:3: column 1 'TIMESTAMP': arrival 2023-11-16T18:15:50.995169Z is more than 292 years "
                + "after the first row's, 1719-11-16T18:15:46.680590Z on line 2; a trace's span must fit in 64-bit "
                + "nanoseconds", e.getMessage());
        assertEquals(Optional.of(SkipReason.BAD_VALUE), e.skipReason());
        try (var reader = Traces.open(file, ReadOptions.skippingBadRows())) {
            assertEquals(List.of(TraceRequest.of(0, 0, 374, 44)), reader.toList());
            assertEquals(Map.of(SkipReason.BAD_VALUE, 1L), reader.skippedRows());
        }
    }

    @Test
    void equalTimestampsAreInOrder() throws IOException {
        var file = TraceFiles.write(dir, "azure.csv", HEADER + ROW_1 + ROW_1);
        assertEquals(List.of(0L, 0L), Traces.readAll(file, ReadOptions.DEFAULT).stream().map(TraceRequest::arrivalNanos).toList());
    }

    @Test
    void anEmptyFileIsAClearError() {
        var file = TraceFiles.write(dir, "azure.csv", "");
        var explicit = assertThrows(TraceFormatException.class,
                () -> Traces.open(file, TraceFormat.AZURE_CSV, ReadOptions.DEFAULT));
        assertEquals("azure.csv: empty file: expected a header line like 'TIMESTAMP,ContextTokens,GeneratedTokens'",
                explicit.getMessage());
        var detected = assertThrows(TraceFormatException.class, () -> Traces.open(file));
        assertEquals("azure.csv: empty file: known formats: " + TraceFormat.knownFormats(), detected.getMessage());
    }

    @Test
    void aHeaderWithoutRowsIsAnEmptyTrace() {
        var file = TraceFiles.write(dir, "azure.csv", HEADER + "\n\n");
        var e = assertThrows(TraceFormatException.class, () -> Traces.open(file));
        assertEquals("azure.csv: the trace has no requests (no data rows)", e.getMessage());
    }

    @Test
    void skippingCountsBadRowsByReasonAndKeepsIdsContiguous() throws IOException {
        var file = TraceFiles.write(dir, "azure.csv", HEADER
                + ROW_1                                          // line 2: kept, id 0
                + "2023-11-16 18:15:47.0000000,abc,44\n"         // line 3: bad value
                + "2023-11-16 18:15:48.0000000,12\n"             // line 4: wrong column count
                + "2023-11-16 18:15:40.0000000,10,10\n"          // line 5: before line 2
                + "2023-11-16 18:15:49.0000000,10,0\n"           // line 6: zero output tokens
                + ROW_2                                          // line 7: kept, id 1
                + "2023-11-16 18:15:51");                        // line 8: cut off
        try (var reader = Traces.open(file, ReadOptions.skippingBadRows())) {
            assertEquals(List.of(TraceRequest.of(0, 0, 374, 44), TraceRequest.of(1, 4_314_579_000L, 396, 109)),
                    reader.toList());
            assertEquals(Map.of(SkipReason.BAD_VALUE, 1L, SkipReason.WRONG_COLUMN_COUNT, 2L,
                    SkipReason.OUT_OF_ORDER, 1L, SkipReason.ZERO_TOKENS, 1L), reader.skippedRows());
        }
    }

    @Test
    void aTraceWhoseRowsAreAllSkippedSaysWhy() {
        var file = TraceFiles.write(dir, "azure.csv", HEADER + "x,1,1\ny,2,2\n");
        var e = assertThrows(TraceFormatException.class, () -> Traces.open(file, ReadOptions.skippingBadRows()));
        assertEquals("azure.csv: the trace has no requests: every row was skipped\n"
                + "azure.csv: skipped 2 rows with a malformed value (first on line 2)", e.getMessage());
    }

    @Test
    void unbalancedQuotesAreABadValue() {
        var file = TraceFiles.write(dir, "azure.csv", HEADER + "\"2023-11-16 18:15:46.6805900,374,44\n");
        assertEquals("azure.csv:2: column 1 'TIMESTAMP': unbalanced quotes: a quoted field must end with a quote "
                + "followed by a comma or the line's end", readFailure(file).getMessage());
    }

    @Test
    void anUnknownHeaderListsTheKnownFormats() {
        var file = TraceFiles.write(dir, "requests.csv", "time,prompt,answer\n1,2,3\n");
        var e = assertThrows(TraceFormatException.class, () -> Traces.open(file));
        assertEquals("requests.csv:1: header [time, prompt, answer] matches no known format; known formats: "
                + "azure-csv (TIMESTAMP, ContextTokens, GeneratedTokens), "
                + "burstgpt-csv (Timestamp, Model, Request tokens, Response tokens), "
                + "mooncake-jsonl (timestamp, input_length, output_length), "
                + "vidur-csv (arrived_at, num_prefill_tokens, num_decode_tokens)", e.getMessage());
    }

    @Test
    void jsonLinesNameTheFieldOfABadValue() {
        var file = TraceFiles.write(dir, "trace.jsonl", """
                {"timestamp": 0, "input_length": 10, "output_length": 5, "hash_ids": [0]}
                {"timestamp": 5, "input_length": 10, "output_length": -4, "hash_ids": [0]}
                """);
        var e = assertThrows(TraceFormatException.class, () -> Traces.readAll(file, ReadOptions.DEFAULT));
        assertEquals("trace.jsonl:2: field 'output_length': expected a non-negative integer, was -4", e.getMessage());
        // a quoted number shows its quotes ("expected a non-negative integer, was 100" read as a contradiction)
        var quoted = TraceFiles.write(dir, "q.jsonl", "{\"timestamp\": 0, \"input_length\": \"100\", \"output_length\": 5}\n");
        var q = assertThrows(TraceFormatException.class, () -> Traces.readAll(quoted, ReadOptions.DEFAULT));
        assertEquals("q.jsonl:1: field 'input_length': expected a non-negative integer, was the string \"100\"", q.getMessage());
    }

    @Test
    void jsonLinesReportMissingFieldsWrongTypesAndOrder() {
        assertEquals("t1.jsonl:1: field 'output_length': missing; each line needs timestamp, input_length and output_length",
                jsonFailure("t1.jsonl", "{\"timestamp\": 0, \"input_length\": 10}\n"));
        assertEquals("t2.jsonl:1: field 'hash_ids': expected an array of non-negative integers, was the string \"abc\"",
                jsonFailure("t2.jsonl", "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 1, \"hash_ids\": \"abc\"}\n"));
        assertEquals("t3.jsonl:2: field 'timestamp': arrival 1 ms is earlier than 5 ms on line 1; rows must be in "
                + "arrival order", jsonFailure("t3.jsonl", """
                {"timestamp": 5, "input_length": 10, "output_length": 1}
                {"timestamp": 1, "input_length": 10, "output_length": 1}
                """));
    }

    @Test
    void mooncakeHashIdsMustBeOnePerPromptBlockAndNonNegative() {
        // given: 1100 tokens make ceil(1100 / 512) = 3 blocks
        assertEquals("a.jsonl:1: field 'hash_ids': has 2 ids, but input_length 1100 makes 3 blocks of 512 tokens (one "
                + "id per block)", jsonFailure("a.jsonl", "{\"timestamp\": 0, \"input_length\": 1100, \"output_length\": 1, "
                + "\"hash_ids\": [0, 1]}\n"));
        assertEquals("b.jsonl:1: field 'hash_ids': has 4 ids, but input_length 1100 makes 3 blocks of 512 tokens (one "
                + "id per block)", jsonFailure("b.jsonl", "{\"timestamp\": 0, \"input_length\": 1100, \"output_length\": 1, "
                + "\"hash_ids\": [0, 1, 2, 3]}\n"));
        assertEquals("c.jsonl:1: field 'hash_ids': expected an array of non-negative integers, was -2",
                jsonFailure("c.jsonl", "{\"timestamp\": 0, \"input_length\": 1100, \"output_length\": 1, "
                        + "\"hash_ids\": [0, -2, 3]}\n"));
        // with ServeLab's block_size the ids may cover only a shared prefix, but never more than the prompt
        assertEquals("d.jsonl:1: field 'hash_ids': has 3 ids, but input_length 40 makes 2 blocks of 32 tokens (one id "
                + "per block, at most)", jsonFailure("d.jsonl", "{\"timestamp\": 0, \"input_length\": 40, "
                + "\"output_length\": 1, \"hash_ids\": [0, 1, 2], \"block_size\": 32}\n"));
    }

    @Test
    void aMooncakeRowAfterOneWithHashIdsGivesThemToo() throws java.io.IOException {
        // a row that lost its list was read as sharing nothing with the others, silently
        assertEquals("e.jsonl:3: field 'hash_ids': missing, though line 2 gives it; every line after the first with "
                + "hash_ids gives them (a line without prefix information: \"hash_ids\": [])", jsonFailure("e.jsonl", """
                {"timestamp": 0, "input_length": 1000, "output_length": 1}
                {"timestamp": 1, "input_length": 1000, "output_length": 1, "hash_ids": [0, 1]}
                {"timestamp": 5, "input_length": 1000, "output_length": 1}
                """));
        // rows before the first list are taken (a first line that lost its list cost the whole file with skip_bad_rows);
        // an empty list is a row without prefix information; no list anywhere, a file without any
        var before = TraceFiles.write(dir, "f.jsonl", """
                {"timestamp": 0, "input_length": 1000, "output_length": 1}
                {"timestamp": 5, "input_length": 1000, "output_length": 1, "hash_ids": [0, 1]}
                {"timestamp": 6, "input_length": 1000, "output_length": 1, "hash_ids": []}
                """);
        assertEquals(3, Traces.readAll(before, ReadOptions.DEFAULT).size());
        var none = TraceFiles.write(dir, "h.jsonl", """
                {"timestamp": 0, "input_length": 1000, "output_length": 1}
                {"timestamp": 5, "input_length": 1000, "output_length": 1}
                """);
        assertEquals(2, Traces.readAll(none, ReadOptions.DEFAULT).size());
    }

    @Test
    void foundByFuzzingAYearPastTheNanosecondRangeIsABadTimestampNotANegativeArrival() {
        var file = TraceFiles.write(dir, "far.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                + "4046-11-16 18:15:46.6805900,374,44\n2023-11-16 18:15:50.9951690,396,109\n");
        var e = assertThrows(TraceFormatException.class, () -> Traces.readAll(file, ReadOptions.DEFAULT));
        assertTrue(e.getMessage().startsWith("far.csv:2: column 1 'TIMESTAMP'"), e.getMessage());
    }

    @Test
    void foundByFuzzingLeadingZeroBytesAreNotReadAsUtf32() {
        var file = TraceFiles.write(dir, "zeros.jsonl", "\0\0\0\0\0\0\0\t{\"timestamp\": 0, \"input_length\": 10, "
                + "\"output_length\": 5}\n");
        var message = assertThrows(TraceFormatException.class,
                () -> Traces.open(file, TraceFormat.MOONCAKE_JSONL, ReadOptions.DEFAULT).toList()).getMessage();
        assertTrue(message.startsWith("zeros.jsonl:1: not UTF-8 text"), message);
    }

    @Test
    void aTruncatedJsonLineIsReportedAsCutOff() {
        var message = jsonFailure("trace.jsonl", "{\"timestamp\": 0, \"input_length\": 10, \"output_length\": 5}\n"
                + "{\"timestamp\": 5, \"input_len");
        assertTrue(message.startsWith("trace.jsonl:2: invalid JSON at character "), message);
        assertTrue(message.endsWith("; the file ends mid-row (truncated?)"), message);
    }

    @Test
    void skippedJsonLinesDoNotHideTheLinesAfterThem() throws IOException {
        var file = TraceFiles.write(dir, "trace.jsonl", """
                {"timestamp": 0, "input_length": 10, "output_length": 5}
                {"timestamp": 1, "input_len
                not json at all
                {"timestamp": 2, "input_length": 20, "output_length": 6}
                """);
        try (var reader = Traces.open(file, ReadOptions.skippingBadRows())) {
            assertEquals(List.of(TraceRequest.of(0, 0, 10, 5), TraceRequest.of(1, 2_000_000, 20, 6)), reader.toList());
            assertEquals(Map.of(SkipReason.BAD_VALUE, 2L), reader.skippedRows());
        }
    }

    private String jsonFailure(String name, String content) {
        var file = TraceFiles.write(dir, name, content);
        return assertThrows(TraceFormatException.class, () -> Traces.readAll(file, ReadOptions.DEFAULT)).getMessage();
    }
}

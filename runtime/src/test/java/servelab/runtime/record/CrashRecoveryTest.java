package servelab.runtime.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static servelab.runtime.record.Rows.iteration;
import static servelab.runtime.record.Rows.ok;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.RunResults;

/** A killed run is simulated by abandoning a recorder (never closing it) after some batches were flushed. */
class CrashRecoveryTest {

    @TempDir
    Path tmp;

    @Test
    void recoversEveryFlushedBatchOfAKilledRun() throws IOException {
        // given: batches of 2; 5 requests and 7 iterations recorded, then the recorder is abandoned
        var dir = tmp.resolve("killed");
        abandonedRun(dir);
        // when
        var recovered = RunRecorder.recover(dir);
        // then: 2 full batches of requests (4 rows) and 3 of iterations (6 rows); the unflushed rows are lost
        assertEquals(List.of(new Recovery(ResultTable.REQUESTS, 4, 2, false),
                new Recovery(ResultTable.ITERATIONS, 6, 3, false),
                new Recovery(ResultTable.EVENTS, 0, 0, false), new Recovery(ResultTable.CLUSTER, 0, 0, false)),
                recovered);
        var results = RunResults.load(dir);
        assertTrue(results.isComplete());
        assertArrayEquals(new long[] {0, 1, 2, 3}, results.requests().longs("request_id"));
        for (var t : ResultTable.values()) assertFalse(Files.exists(dir.resolve(t.streamFileName())));
    }

    @Test
    void ourReaderReadsTheStreamsOfAKilledRunWithoutRecovery() throws IOException {
        var dir = tmp.resolve("killed");
        abandonedRun(dir);
        // when: loaded as it is
        var results = RunResults.load(dir);
        // then: the flushed rows, and a note that the run was not closed
        assertFalse(results.isComplete());
        assertEquals(4, results.requests().rowCount());
        assertArrayEquals(new long[] {0, 1, 2, 3}, results.requests().longs("request_id"));
        assertArrayEquals(new double[] {10, 10, 10, 10}, results.requests().doubles("ttft_ms"));
        assertTrue(results.notes().getFirst().contains("requests.arrows"), results.notes().toString());
    }

    @Test
    void dropsABatchCutShortByTheKill() throws IOException {
        // given: the requests stream loses its last 20 bytes, as if the kill came while a batch was being written
        var dir = tmp.resolve("killed");
        abandonedRun(dir);
        var stream = dir.resolve(ResultTable.REQUESTS.streamFileName());
        try (var ch = FileChannel.open(stream, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 20);
        }
        // when
        var recovered = RunRecorder.recover(dir);
        // then: the first batch survives, the cut one is reported lost
        assertEquals(new Recovery(ResultTable.REQUESTS, 2, 1, true), recovered.getFirst());
        assertArrayEquals(new long[] {0, 1}, RunResults.load(dir).requests().longs("request_id"));
    }

    @Test
    void recoveringAClosedRunChangesNothing() throws IOException {
        var dir = RunRecorderTest.record(tmp.resolve("closed"));
        var before = Files.readAllBytes(dir.resolve("requests.arrow"));
        assertEquals(List.of(), RunRecorder.recover(dir));
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("requests.arrow")));
    }

    @Test
    void requestsAreWrittenOnATimeBoundSoAKillLosesNoneThatFinishedBeforeIt() throws IOException {
        // given: 4096 rows per batch, but requests written once the oldest is 1 ns old, i.e. at once
        var dir = tmp.resolve("killed");
        var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withRequestFlushNanos(1));
        for (int i = 0; i < 5; i++) recorder.request(ok(i, i, i + 10, i + 20));
        // when: the run is killed (never closed) and recovered
        var recovered = RunRecorder.recover(dir);
        // then: all 5 requests are there, though no batch of 4096 was ever filled
        assertEquals(new Recovery(ResultTable.REQUESTS, 5, 5, false), recovered.getFirst());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4}, RunResults.load(dir).requests().longs("request_id"));
    }

    @Test
    void requestsArrowHasTheSameBytesWhetherWrittenByTimeOrByCount() throws IOException {
        // given: the same 11 requests, cut into batches by count (4 rows) and by time (every row at once)
        var byCount = recordRequests(tmp.resolve("count"), 0);
        var byTime = recordRequests(tmp.resolve("time"), 1);
        // then: the conversion re-cuts the time-driven stream into batches of 4, byte for byte the same file
        assertArrayEquals(Files.readAllBytes(byCount.resolve("requests.arrow")),
                Files.readAllBytes(byTime.resolve("requests.arrow")));
    }

    private static Path recordRequests(Path dir, long flushNanos) throws IOException {
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withBatchRows(4)
                .withRequestFlushNanos(flushNanos).withSlo(Slo.parse("ttft=15")))) {
            for (int i = 0; i < 10; i++) recorder.request(ok(i, i, i + 10, i + 14, i + 19));
            recorder.request(Rows.failed(10, 11, "fault in scheduler"));
        }
        return dir;
    }

    @Test
    void iterationsAndEventsAreWrittenOnTheTimeBoundToo() throws IOException {
        // given: rows written once the oldest is 1 ns old; before, only requests were, and a kill lost every iteration
        // and event row of a batch not yet full (all of them in a run of a few seconds)
        var dir = tmp.resolve("killed");
        var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withRequestFlushNanos(1));
        for (int i = 0; i < 7; i++) recorder.iteration(iteration(i, i, i + 1));
        for (int i = 0; i < 3; i++) recorder.event(new EventRow(i, -1, 0, "replica", "", "serving", "down", "crash"));
        // when: killed and recovered
        var recovered = RunRecorder.recover(dir);
        // then
        var rows = new java.util.EnumMap<ResultTable, Long>(ResultTable.class);
        for (var r : recovered) rows.put(r.table(), r.rows());
        assertEquals(7L, rows.get(ResultTable.ITERATIONS), recovered.toString());
        assertEquals(3L, rows.get(ResultTable.EVENTS), recovered.toString());
    }

    @Test
    void aQuietTableIsWrittenOnTheTimeBoundWithoutAnotherRow() throws Exception {
        // given: one swap event and one finished request, then nothing more (a quiet spell); the bound is 100 ms
        var dir = tmp.resolve("quiet");
        var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withRequestFlushNanos(100_000_000L));
        long schema = Files.size(dir.resolve("events.arrows"));
        recorder.event(new EventRow(5, 1, 0, "swap", "scheduler", "fcfs@1.0.0", "sjf@1.0.0", "ctl"));
        recorder.request(ok(0, 0, 10, 20));
        // when: the timer has had its chance (it was only checked at the next append before, which never came)
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Files.size(dir.resolve("events.arrows")) == schema && System.nanoTime() < deadline) Thread.sleep(20);
        Thread.sleep(100);
        // then: a kill now loses neither
        var rows = new java.util.EnumMap<ResultTable, Long>(ResultTable.class);
        for (var r : RunRecorder.recover(dir)) rows.put(r.table(), r.rows());
        assertEquals(1L, rows.get(ResultTable.EVENTS), rows.toString());
        assertEquals(1L, rows.get(ResultTable.REQUESTS), rows.toString());
    }

    @Test
    void iterationsArrowHasTheSameBytesWhetherWrittenByTimeOrByCount() throws IOException {
        Path[] dirs = {tmp.resolve("count"), tmp.resolve("time")};
        for (int d = 0; d < 2; d++) {
            try (var recorder = RunRecorder.create(dirs[d], RecorderOptions.defaults().withBatchRows(4)
                    .withRequestFlushNanos(d))) {
                for (int i = 0; i < 11; i++) recorder.iteration(iteration(i, i, i + 1));
                for (int i = 0; i < 3; i++) recorder.event(new EventRow(i, -1, 0, "replica", "", "serving", "down", "x"));
            }
        }
        for (var file : List.of("iterations.arrow", "events.arrow", "cluster.arrow")) {
            assertArrayEquals(Files.readAllBytes(dirs[0].resolve(file)), Files.readAllBytes(dirs[1].resolve(file)), file);
        }
    }

    @Test
    void aFailedConversionLeavesNoTemporaryFileAndKeepsTheStream() throws IOException {
        // given: a requests stream damaged under a live recorder (as a full disk would leave it)
        var dir = tmp.resolve("damaged");
        var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withBatchRows(2).withRequestFlushNanos(0));
        for (int i = 0; i < 5; i++) recorder.request(ok(i, i, i + 10, i + 20));
        try (var ch = FileChannel.open(dir.resolve(ResultTable.REQUESTS.streamFileName()), StandardOpenOption.WRITE)) {
            var garbage = new byte[32];
            java.util.Arrays.fill(garbage, (byte) 0xAB);
            ch.write(java.nio.ByteBuffer.wrap(garbage), 8); // the schema message's body
        }
        // when: closing converts the streams and fails on the damaged one
        var e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, recorder::close);
        // then: the error says which stream and how to retry; no empty requests.arrow.tmp is left behind
        assertTrue(e.getMessage().contains("servelab recover"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("requests.arrow.tmp")));
        assertTrue(Files.exists(dir.resolve(ResultTable.REQUESTS.streamFileName())));
        assertTrue(Files.exists(dir.resolve("iterations.arrow")), "the other tables are converted all the same");
    }

    @Test
    void aRecoveryThatCannotWriteATableNamesItAndKeepsItsStream() throws IOException {
        // a full disk said only "servelab recover: No space left on device", with a table converted and one not
        var dir = tmp.resolve("blocked");
        abandonedRun(dir);
        Files.createDirectory(dir.resolve("iterations.arrow.tmp")); // the temporary file cannot be made
        var e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> RunRecorder.recover(dir));
        assertTrue(e.getMessage().startsWith("cannot write " + dir.resolve("iterations.arrow") + ": "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" (requests.arrow recovered); its stream iterations.arrows is kept: recover "
                + "again once the cause is fixed"), e.getMessage());
        assertTrue(Files.exists(dir.resolve(ResultTable.ITERATIONS.streamFileName())));
        // once it is: the rest
        Files.deleteIfExists(dir.resolve("iterations.arrow.tmp"));
        var again = RunRecorder.recover(dir);
        assertEquals(ResultTable.ITERATIONS, again.getFirst().table()); // then the tables after it; requests was done
        assertEquals(6, again.getFirst().rows()); // three whole batches of 2 of the 7 iterations
        assertTrue(again.stream().noneMatch(r -> r.table() == ResultTable.REQUESTS));
    }

    @Test
    void closingSaysEachTableAsSoonAsItsFileIsCompleteSoItsReaderCanStart() throws IOException {
        // the run's summary of the requests reads requests.arrow while the other tables convert
        var dir = tmp.resolve("ahead");
        var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withBatchRows(2));
        for (int i = 0; i < 5; i++) recorder.request(ok(i, i, i + 10, i + 20));
        for (int i = 0; i < 7; i++) recorder.iteration(iteration(i, i, i + 1));
        var seen = new java.util.ArrayList<String>();
        recorder.close(table -> seen.add(table + " " + Files.exists(dir.resolve(table.fileName())) + " "
                + Files.exists(dir.resolve(table.streamFileName())) + " "
                + Files.exists(dir.resolve(ResultTable.CLUSTER.fileName()))));
        assertEquals(List.of("REQUESTS true false false", "ITERATIONS true false false", "EVENTS true false false",
                "CLUSTER true false true"), seen);
    }

    /** Records, flushes some batches, and walks away without close(), as a killed JVM would. */
    private static void abandonedRun(Path dir) throws IOException {
        var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withBatchRows(2).withRequestFlushNanos(0));
        for (int i = 0; i < 5; i++) recorder.request(ok(i, i, i + 10, i + 20));
        for (int i = 0; i < 7; i++) recorder.iteration(iteration(i, i, i + 1));
    }
}

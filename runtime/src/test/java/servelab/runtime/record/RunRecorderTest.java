package servelab.runtime.record;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static servelab.runtime.record.Rows.failed;
import static servelab.runtime.record.Rows.iteration;
import static servelab.runtime.record.Rows.ok;
import static servelab.runtime.record.Rows.swap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.RunResults;

class RunRecorderTest {

    @TempDir
    Path tmp;

    @Test
    void closingLeavesArrowFilesAndNoStreams() throws IOException {
        // given: a recorder with one row in each table
        var dir = tmp.resolve("run");
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults())) {
            recorder.request(ok(0, 0, 10, 15, 25));
            recorder.iteration(iteration(0, 0, 10));
            recorder.event(swap(5, 0));
        }
        // then: three .arrow files, streams gone
        for (var t : ResultTable.values()) {
            assertTrue(Files.exists(dir.resolve(t.fileName())), t.fileName());
            assertFalse(Files.exists(dir.resolve(t.streamFileName())), t.streamFileName());
        }
    }

    /** A run that does not keep the scheduler's measured time writes 0 for it, and every other column as given. */
    @Test
    void schedulerCpuIsWrittenOnlyWhenKept() throws IOException {
        var row = iteration(0, 0, 10); // 1,500 ns of scheduler time
        for (boolean keep : new boolean[] {true, false}) {
            var dir = tmp.resolve("run-" + keep);
            try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withSchedulerCpu(keep))) {
                recorder.iteration(row);
            }
            var it = RunResults.load(dir).table(ResultTable.ITERATIONS).orElseThrow();
            assertArrayEquals(new long[] {keep ? 1500 : 0}, it.longs("scheduler_cpu_ns"));
            assertArrayEquals(new long[] {row.kvTokensStored()}, it.longs("kv_tokens_stored"));
            assertArrayEquals(new long[] {row.endNanos()}, it.longs("end_ns"));
        }
    }

    @Test
    void derivesVllmMetricsFromTokenTimes() throws IOException {
        // given: arrival 0, tokens at 10, 15, 25 ms (completion 25); and a failed request
        var dir = tmp.resolve("run");
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults())) {
            recorder.request(ok(0, 0, 10, 15, 25));
            recorder.request(failed(1, 3, "rejected: prompt too long"));
        }
        var requests = RunResults.load(dir).requests();
        // then: TTFT 10, E2EL 25, TPOT (25 - 10) / 2 = 7.5, ITL [5, 10], E2EL per token 25 / 3
        assertArrayEquals(new double[] {10, Double.NaN}, requests.doubles("ttft_ms"));
        assertArrayEquals(new double[] {25, Double.NaN}, requests.doubles("e2el_ms"));
        assertArrayEquals(new double[] {7.5, Double.NaN}, requests.doubles("tpot_ms"));
        assertArrayEquals(new double[] {5, 10}, requests.doubleLists("itl_ms").get(0));
        assertEquals(25.0 / 3, requests.doubles("e2el_per_output_token_ms")[0], 1e-12);
        // and: the failed request has no completion (null, read back as -1) and no ITL list
        assertArrayEquals(new long[] {Rows.ms(25), -1}, requests.longs("completion_ns"));
        assertArrayEquals(new boolean[] {false, true}, requests.nulls("itl_ms"));
        assertEquals(List.of("", "rejected: prompt too long"), requests.strings("error"));
    }

    @Test
    void tpotIsNullForASingleOutputToken() throws IOException {
        var dir = tmp.resolve("run");
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults())) {
            recorder.request(ok(0, 0, 12));
        }
        var requests = RunResults.load(dir).requests();
        // then: no TPOT (vLLM divides by output - 1), an empty ITL list
        assertTrue(requests.nulls("tpot_ms")[0]);
        assertEquals(0, requests.doubleLists("itl_ms").get(0).length);
        assertFalse(requests.nulls("itl_ms")[0]);
    }

    @Test
    void sloMetIsWrittenOnlyWhenObjectivesAreGiven() throws IOException {
        // given: TTFT <= 12 ms; request 0 has TTFT 10, request 1 has TTFT 20, request 2 failed
        var dir = tmp.resolve("with-slo");
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withSlo(Slo.parse("ttft=12")))) {
            recorder.request(ok(0, 0, 10, 15));
            recorder.request(ok(1, 0, 20, 25));
            recorder.request(failed(2, 0, "fault"));
        }
        var noSlo = tmp.resolve("without-slo");
        try (var recorder = RunRecorder.create(noSlo, RecorderOptions.defaults())) {
            recorder.request(ok(0, 0, 10, 15));
        }
        // then: 1, 0, 0 with objectives; null without
        assertArrayEquals(new double[] {1, 0, 0}, RunResults.load(dir).requests().doubles("slo_met"));
        assertTrue(RunResults.load(noSlo).requests().nulls("slo_met")[0]);
    }

    @Test
    void writesRowsAcrossManyBatchesInCallOrder() throws IOException {
        // given: batches of 3 rows, 10 iterations (3 full batches and 1 row at close)
        var dir = tmp.resolve("run");
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withBatchRows(3))) {
            for (int i = 0; i < 10; i++) recorder.iteration(iteration(i, i * 10, i * 10 + 7));
        }
        var iterations = RunResults.load(dir).table(ResultTable.ITERATIONS).orElseThrow();
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, iterations.longs("iteration"));
        assertArrayEquals(new double[] {7, 7, 7, 7, 7, 7, 7, 7, 7, 7}, iterations.doubles("duration_ms"));
        assertEquals("fcfs@1.0.0", iterations.strings("scheduler").get(9));
    }

    @Test
    void sameRowsGiveByteIdenticalFiles() throws IOException {
        // when: the same rows are recorded twice into different folders
        var a = record(tmp.resolve("a"));
        var b = record(tmp.resolve("b"));
        // then: every .arrow file is the same, byte for byte
        for (var t : ResultTable.values()) {
            assertArrayEquals(Files.readAllBytes(a.resolve(t.fileName())), Files.readAllBytes(b.resolve(t.fileName())),
                    t.fileName());
        }
    }

    @Test
    void refusesAFolderThatAlreadyHoldsResults() throws IOException {
        var dir = record(tmp.resolve("run"));
        var e = assertThrows(IOException.class, () -> RunRecorder.create(dir, RecorderOptions.defaults()));
        assertTrue(e.getMessage().contains("requests.arrow"), e.getMessage());
    }

    @Test
    void rowsAfterCloseAreRefused() throws IOException {
        var recorder = RunRecorder.create(tmp.resolve("run"), RecorderOptions.defaults());
        recorder.close();
        recorder.close();   // a second close does nothing
        var e = assertThrows(IllegalStateException.class, () -> recorder.request(ok(0, 0, 1)));
        assertEquals("requests writer is closed", e.getMessage());
    }

    @Test
    void runJsonKeepsKeyOrder() throws IOException {
        var dir = tmp.resolve("run");
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults())) {
            var info = new LinkedHashMap<String, Object>();
            info.put("servelab_version", "0.1.0");
            info.put("seed", 42);
            info.put("executor", "simulated");
            recorder.writeRunJson(info);
        }
        assertEquals("{\n  \"servelab_version\" : \"0.1.0\",\n  \"seed\" : 42,\n  \"executor\" : \"simulated\"\n}\n",
                Files.readString(dir.resolve("run.json")));
        assertEquals(List.of("servelab_version", "seed", "executor"),
                List.copyOf(RunResults.load(dir).runInfo().keySet()));
    }

    /** Records a fixed little run: mixed requests, 20 iterations, 3 events; small batches to have several. */
    static Path record(Path dir) throws IOException {
        try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults().withBatchRows(4)
                .withSlo(Slo.parse("ttft=15,tpot=6")))) {
            for (int i = 0; i < 6; i++) recorder.request(ok(i, i, i + 10, i + 14, i + 19));
            recorder.request(failed(6, 7, "fault in scheduler"));
            for (int i = 0; i < 20; i++) recorder.iteration(iteration(i, i * 5, i * 5 + 4));
            for (int i = 0; i < 3; i++) recorder.event(swap(i * 30, i * 6));
            var info = new LinkedHashMap<String, Object>();
            info.put("seed", 7);
            recorder.writeRunJson(info);
        }
        return dir;
    }
}

package servelab.runtime.report.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.report.InvalidResultsException;

class JmhResultsTest {
    @TempDir Path tmp;

    @Test
    void readsScoreErrorUnitAndParametersAndANaNErrorWrittenAsText() throws Exception {
        var file = FakeJmh.write(tmp.resolve("r.json"),
                FakeJmh.entry("servelab.bench.SimulationBenchmark.replay", "ss", "azure", 96.8, 64.1, "ms/op"),
                FakeJmh.entry("servelab.bench.SimulationBenchmark.replay", "ss", "one", 5, Double.NaN, "ms/op"));
        var results = JmhResults.read(file);
        assertEquals(2, results.size());
        var r = results.getFirst();
        assertEquals("SimulationBenchmark", r.suite());
        assertEquals("replay", r.method());
        assertEquals("trace=azure", r.paramText());
        assertEquals(96.8, r.score());
        assertEquals(64.1, r.error());
        assertEquals("ms/op", r.unit());
        assertTrue(Double.isNaN(results.get(1).error()));
    }

    @Test
    void anotherToolsJsonObjectIsRefusedNamingTheFileAndItsKeys() throws Exception {
        // given: a pytest-benchmark style file: an object, not JMH's array
        var file = tmp.resolve("pytest.json");
        Files.writeString(file, "{\"machine_info\": {}, \"benchmarks\": [], \"datetime\": \"2026-11-25\"}");
        var e = assertThrows(InvalidResultsException.class, () -> JmhResults.read(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file + ": not JMH results: the top level is a JSON object with keys "
                + "[machine_info, benchmarks, datetime]"), e.getMessage());
    }

    @Test
    void aBenchmarkRepeatedInOneFileAndAnEmptyArrayAreRefused() throws Exception {
        // two files joined: only one of the pair met its baseline, the other was "new", a 5.7x slowdown unflagged
        var twice = FakeJmh.write(tmp.resolve("twice.json"),
                FakeJmh.entry("b.X.replay", "avgt", "azure", 156.9, 66, "ms/op"),
                FakeJmh.entry("b.X.replay", "avgt", "azure", 900, 66, "ms/op"));
        var e = assertThrows(InvalidResultsException.class, () -> JmhResults.read(twice));
        assertTrue(e.getMessage().contains("element 1 repeats element 0"), e.getMessage());
        var empty = tmp.resolve("empty.json");
        Files.writeString(empty, "[]");
        var none = assertThrows(InvalidResultsException.class, () -> JmhResults.read(empty));
        assertTrue(none.getMessage().contains(empty + ": holds no results (an empty array)"), none.getMessage());
    }

    @Test
    void anArrayOfOtherObjectsIsRefusedNamingTheElement() throws Exception {
        // given: Google Benchmark's entries have name and real_time, not benchmark and primaryMetric
        var file = tmp.resolve("gbench.json");
        Files.writeString(file, "[{\"name\": \"BM_x\", \"real_time\": 1.5, \"time_unit\": \"ns\"}]");
        var e = assertThrows(InvalidResultsException.class, () -> JmhResults.read(file));
        assertTrue(e.getMessage().contains(file + ": not JMH results: element 0 has keys [name, real_time, time_unit]"),
                e.getMessage());
    }

    @Test
    void aFileThatIsNotJsonOrIsMissingIsNamed() throws Exception {
        var file = Files.writeString(tmp.resolve("results.csv"), "Benchmark,Mode,Score\n");
        var e = assertThrows(InvalidResultsException.class, () -> JmhResults.read(file));
        assertTrue(e.getMessage().startsWith(file + ": not JSON"), e.getMessage());
        var missing = assertThrows(InvalidResultsException.class, () -> JmhResults.read(tmp.resolve("nope.json")));
        assertEquals(tmp.resolve("nope.json") + ": no such file", missing.getMessage());
    }

    @Test
    void theCommittedSimulationResultsRead() throws Exception {
        var file = Path.of("benchmarks/results/simulation.json");
        var results = JmhResults.read(file);
        assertEquals(4, results.size());
        assertTrue(results.stream().allMatch(r -> r.suite().equals("SimulationBenchmark") && r.unit().equals("ms/op")));
    }
}

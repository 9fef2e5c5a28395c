package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import servelab.runtime.cluster.Fault;

/** The {@code faults:} list: what it accepts, what it turns into, and errors naming the key as written. */
class FaultScheduleTest {
    @TempDir Path work;

    private Experiment load(String yaml) throws Exception {
        return ExperimentFile.load(Files.writeString(work.resolve("e.yaml"), yaml), List.of());
    }

    private String error(String yaml) throws Exception {
        var file = Files.writeString(work.resolve("e.yaml"), yaml);
        return assertThrows(IllegalArgumentException.class, () -> ExperimentFile.load(file, List.of())).getMessage()
                .replace(file.toString(), "e.yaml");
    }

    @Test
    void eachKindBecomesItsFaultWithTimesInNanosAndReplicasByIndexOrName() throws Exception {
        var exp = load("""
                replicas: 3
                faults:
                  - {kind: crash, at_ms: 1000, replica: 1, warmup_ms: 500}
                  - {kind: crash, at_ms: 2000, replica: r2, restart: false}
                  - {kind: straggle, from_ms: 0, to_ms: 60000, replica: 0, factor: 4}
                  - {kind: partition, from_ms: 5000, to_ms: 8000, replica: 2}
                  - {kind: lost-responses, from_ms: 0, to_ms: 10000, replica: all, probability: 0.05}
                """);
        assertEquals(List.of(new Fault.Crash(1_000_000_000L, 1, true, 500_000_000L),
                new Fault.Crash(2_000_000_000L, 2, false, 0),
                new Fault.Straggle(0, 60_000_000_000L, 0, 4.0),
                new Fault.Partition(5_000_000_000L, 8_000_000_000L, 2),
                new Fault.LostResponses(0, 10_000_000_000L, Fault.ALL, 0.05)), exp.faultSchedule());
    }

    @Test
    void anExperimentWithoutFaultsHasAnEmptySchedule() throws Exception {
        assertEquals(List.of(), load("replicas: 2\n").faultSchedule());
    }

    @Test
    void aReplicaThatDoesNotExistIsRefused() throws Exception {
        assertEquals("e.yaml: faults[0].replica 3 does not exist; the cluster has 2 replicas (0 to 1)",
                error("replicas: 2\nfaults: [{kind: crash, at_ms: 5, replica: 3}]\n"));
        assertEquals("e.yaml: faults[1].replica r7 does not exist; the cluster has 2 replicas (0 to 1)",
                error("replicas: 2\nfaults: [{kind: crash, at_ms: 5, replica: 0}, {kind: partition, from_ms: 0, "
                        + "to_ms: 5, replica: r7}]\n"));
        assertEquals("e.yaml: faults[0].replica must be a replica index or name (r0, r1, ...), was 'leader'",
                error("replicas: 2\nfaults: [{kind: crash, at_ms: 5, replica: leader}]\n"));
    }

    @Test
    void overlappingIntervalsOfOneKindOnOneReplicaAreRefused() throws Exception {
        assertEquals("e.yaml: faults[1] (partition of replica 1, 150 to 300 ms) overlaps faults[0] (partition of "
                + "replica 1, 100 to 200 ms); faults of one kind on one replica must not overlap",
                error("""
                        replicas: 2
                        faults:
                          - {kind: partition, from_ms: 100, to_ms: 200, replica: 1}
                          - {kind: partition, from_ms: 150, to_ms: 300, replica: 1}
                        """));
        // adjacent intervals, another replica or another kind are fine
        load("""
                replicas: 2
                faults:
                  - {kind: partition, from_ms: 100, to_ms: 200, replica: 1}
                  - {kind: partition, from_ms: 200, to_ms: 300, replica: 1}
                  - {kind: partition, from_ms: 150, to_ms: 300, replica: 0}
                  - {kind: straggle, from_ms: 150, to_ms: 300, replica: 1, factor: 2}
                """);
        assertTrue(error("""
                replicas: 2
                faults:
                  - {kind: lost-responses, from_ms: 0, to_ms: 200, replica: 1, probability: 1}
                  - {kind: lost-responses, from_ms: 100, to_ms: 300, replica: all, probability: 1}
                """).startsWith("e.yaml: faults[1] (lost-responses of every replica, 100 to 300 ms"));
    }

    @Test
    void negativeTimesAndEndsBeforeStartsAreRefused() throws Exception {
        assertEquals("e.yaml: faults[0].at_ms must be in [0, 1e12] ms, was -5.0",
                error("faults: [{kind: crash, at_ms: -5, replica: 0}]\n"));
        // a warm-up past the clock's range was accepted, then stopped the run with "time went backwards"
        assertEquals("e.yaml: faults[0].warmup_ms must be in [0, 1e12] ms, was 1.0E13",
                error("faults: [{kind: crash, at_ms: 5, replica: 0, warmup_ms: 1e13}]\n"));
        assertEquals("e.yaml: faults[0].mean_duration_ms must be in (0, 1e12] ms, was 1.0E13", error("faults: [{kind: random, "
                + "mtbf_s: 600, mean_duration_ms: 1e13, kinds: [crash], to_ms: 3600000, seed: 7}]\n"));
        assertEquals("e.yaml: faults[0].from_ms must be in [0, 1e12] ms, was -1.0",
                error("faults: [{kind: partition, from_ms: -1, to_ms: 5, replica: 0}]\n"));
        assertEquals("e.yaml: faults[0].to_ms must be after from_ms (10.0), was 5.0",
                error("faults: [{kind: straggle, from_ms: 10, to_ms: 5, replica: 0, factor: 2}]\n"));
        assertEquals("e.yaml: faults[0].to_ms is missing",
                error("faults: [{kind: partition, from_ms: 10, replica: 0}]\n"));
    }

    @Test
    void unknownKindsAndKeysAreRefusedNamingWhatIsAccepted() throws Exception {
        assertEquals("e.yaml: faults[0].kind 'meltdown' is unknown; accepted: crash, lost-responses, partition, "
                + "random, straggle", error("faults: [{kind: meltdown, at_ms: 5, replica: 0}]\n"));
        assertEquals("e.yaml: faults[0].factor does not apply to kind crash; accepted there: kind, at_ms, replica, "
                + "restart, warmup_ms", error("faults: [{kind: crash, at_ms: 5, replica: 0, factor: 2}]\n"));
        var misspelt = error("faults: [{kind: crash, at: 5, replica: 0}]\n");
        assertTrue(misspelt.startsWith("e.yaml: unknown key 'faults[0].at'"), misspelt);
        assertEquals("e.yaml: faults[0].replica 'all' is accepted only by lost-responses and random; name one replica",
                error("faults: [{kind: crash, at_ms: 5, replica: all}]\n"));
        assertEquals("e.yaml: faults[0].factor must be in [1, 1000] (steps take factor x as long), was 0.5",
                error("faults: [{kind: straggle, from_ms: 0, to_ms: 5, replica: 0, factor: 0.5}]\n"));
        // a huge factor made a small run write time series until the disk was full
        assertEquals("e.yaml: faults[0].factor must be in [1, 1000] (steps take factor x as long), was 1.0E300",
                error("faults: [{kind: straggle, from_ms: 0, to_ms: 5, replica: 0, factor: 1e300}]\n"));
        assertEquals("e.yaml: faults[0].factor must be in [1, 1000] (steps take factor x as long), was 1000000.0",
                error("faults: [{kind: random, mtbf_s: 60, mean_duration_ms: 5, kinds: [straggle], to_ms: 1000, "
                        + "factor: 1e6}]\n"));
    }

    @Test
    void randomFaultsExpandIntoASeededScheduleWithinTheirWindow() throws Exception {
        String yaml = """
                replicas: 4
                faults:
                  - {kind: random, mtbf_s: 60, mean_duration_ms: 5000, kinds: [crash, straggle, partition], to_ms: 600000, seed: %d}
                """;
        var a = load(yaml.formatted(7)).faultSchedule();
        assertEquals(a, load(yaml.formatted(7)).faultSchedule());
        assertNotEquals(a, load(yaml.formatted(8)).faultSchedule());
        // about 10 per replica in 600 s at one per 60 s
        assertTrue(a.size() > 15 && a.size() < 80, "faults: " + a.size());
        for (var f : a) {
            assertTrue(f.startNanos() < 600_000_000_000L && f.endNanos() <= 600_000_000_000L, f.describe());
        }
        for (var kind : List.of("crash", "straggle", "partition")) {
            assertTrue(a.stream().anyMatch(f -> f.kind().equals(kind)), kind);
        }
        assertEquals("e.yaml: faults[0].kinds[1] 'flood' is unknown; accepted: crash, lost-responses, partition, "
                + "straggle", error("faults: [{kind: random, mtbf_s: 60, mean_duration_ms: 5, kinds: [crash, flood], "
                + "to_ms: 1000}]\n"));
    }
}

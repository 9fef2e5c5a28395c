package servelab.runtime.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.host.TestBundles;

/** A fleet across profiles costs each replica's seconds times its profile's devices (a tp4 replica is four GPUs). */
class DeviceSecondsTest {
    @TempDir Path work;

    @Test
    void aTensorParallelFourReplicaCostsFourDevicesPerSecond() throws Exception {
        // given: one Llama-3-8B replica on one H100 and one Llama-3-70B replica on four (groups)
        var file = Files.writeString(work.resolve("exp.yaml"), """
                seed: 3
                replicas: 2
                trace: {synthetic: {count: 60, arrivals: {rate: 4}}}
                cluster:
                  groups:
                    - {name: small, count: 1, profile: llama-3-8b/h100-80gb}
                    - {name: big, count: 1, profile: llama-3-70b/h100-80gb-tp4}
                """);
        var dir = work.resolve("run");
        ExperimentRunner.run(ExperimentFile.load(file, List.of()), dir, new ExperimentRunner.Options(
                TestBundles.defaultPlugins(work.resolve("plugins")), (t, k, f, to, d) -> {}, null, null));
        var summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        var byReplica = summary.get("replica_seconds_by_replica");
        // then: replica 0's seconds once, replica 1's four times (replica-seconds counted the tp4 replica as one)
        assertEquals(byReplica.get(0).asDouble() + 4 * byReplica.get(1).asDouble(), summary.get("device_seconds").asDouble(),
                1e-9);
        assertEquals(byReplica.get(0).asDouble() + byReplica.get(1).asDouble(), summary.get("replica_seconds").asDouble(),
                1e-9);
    }
}

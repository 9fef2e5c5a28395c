package servelab.runtime.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

import servelab.runtime.exec.cost.CostModels;

/**
 * What a simulated fleet cost in accelerator time: each replica's seconds ({@code replica_seconds_by_replica}) times
 * the devices its group's profile runs on ({@code hardware.devices}: 4 for a tensor-parallel-4 profile). A sweep across
 * profiles compared by replica-seconds counted a four-GPU replica as one.
 */
public final class DeviceSeconds {
    private DeviceSeconds() {}

    /**
     * From the run's run.json ({@code cluster.groups}: each group's {@code count} and {@code profile}, in replica
     * order); empty for a run without profiles (the model executor), without groups, or whose profile no longer loads.
     */
    public static OptionalDouble compute(Path runDir, List<Double> byReplica) throws IOException {
        if (byReplica == null) return OptionalDouble.empty();
        var info = RunResults.readRunJson(runDir.resolve("run.json"));
        if (!(info.get("cluster") instanceof Map<?, ?> cluster) || !(cluster.get("groups") instanceof List<?> groups)) {
            return OptionalDouble.empty();
        }
        double total = 0;
        int replica = 0;
        for (var g : groups) {
            if (!(g instanceof Map<?, ?> group) || !(group.get("profile") instanceof String profile)
                    || !(group.get("count") instanceof Number count)) {
                return OptionalDouble.empty();
            }
            int devices;
            try {
                devices = CostModels.loadProfile(profile).hardware().devices();
            } catch (RuntimeException e) { // a profile file moved since: not known, rather than wrong
                return OptionalDouble.empty();
            }
            for (int i = 0; i < count.intValue() && replica < byReplica.size(); i++, replica++) {
                total += byReplica.get(replica) * devices;
            }
        }
        return replica == byReplica.size() ? OptionalDouble.of(total) : OptionalDouble.empty();
    }
}

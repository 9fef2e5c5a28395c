package servelab.bench.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import servelab.datasets.TraceRequest;

/**
 * The benchmark's three gateway modes do the same work on a fault-free run (every request completes once, the same
 * sequence-iterations, the same end time, no retry or hedge sent), so their times compare bookkeeping alone.
 */
class GatewayOverheadWorkTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 8})
    void everyModeDoesTheSameWork(int replicas) {
        var direct = run("direct", replicas);
        for (var mode : List.of("tracked", "policies")) {
            var other = run(mode, replicas);
            assertEquals(direct.counting.requests, other.counting.requests, mode);
            assertEquals(direct.counting.completed, other.counting.completed, mode);
            assertEquals(direct.counting.sequenceIterations, other.counting.sequenceIterations, mode);
            assertEquals(direct.end, other.end, mode);
            assertEquals(0, other.counting.extraAttempts, mode);
        }
        assertEquals(600, direct.counting.completed);
    }

    private record Result(GatewayOverheadBenchmark.Counting counting, long end) {}

    private static Result run(String mode, int replicas) {
        var random = new SplittableRandom(11);
        var trace = new ArrayList<TraceRequest>();
        long t = 0;
        for (int i = 0; i < 600; i++) {
            t += (long) (-Math.log(1 - random.nextDouble()) * 50e6); // ~20 req/s
            trace.add(new TraceRequest(i, t, 64 + random.nextInt(2000), 1 + random.nextInt(300), "default", 0,
                    new long[0], 0));
        }
        var counting = new GatewayOverheadBenchmark.Counting();
        long end = GatewayOverheadBenchmark.simulation(mode, replicas, counting).run(trace.iterator());
        return new Result(counting, end);
    }
}

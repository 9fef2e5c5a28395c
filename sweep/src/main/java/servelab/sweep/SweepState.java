package servelab.sweep;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.multimap.MultiMap;

/**
 * The cluster-wide state of one sweep, in structures named by its id, so two sweeps on one cluster never see each
 * other's points.
 */
final class SweepState {
    private SweepState() {}

    /** Point id to the member running it now (for the progress bar's "running"). */
    static IMap<String, String> running(HazelcastInstance hz, String sweepId) {
        return hz.getMap("servelab.sweep." + sweepId + ".running");
    }

    /** Point id to every member that started it: more than one when a member died while running it. */
    static MultiMap<String, String> attempts(HazelcastInstance hz, String sweepId) {
        return hz.getMultiMap("servelab.sweep." + sweepId + ".attempts");
    }

    static void destroy(HazelcastInstance hz, String sweepId) {
        running(hz, sweepId).destroy();
        attempts(hz, sweepId).destroy();
    }
}

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

    /** Sweep id to its coordinator: {@code UUID HOST:PORT FOLDER}. */
    private static IMap<String, String> coordinators(HazelcastInstance hz) {
        return hz.getMap("servelab.sweep.coordinators");
    }

    /**
     * Makes this member the coordinator of {@code sweepId}, and clears what an earlier invocation that stopped left
     * (its attempts counted as reruns of this one's points). Refused while another member still in the cluster
     * coordinates the same sweep: two invocations shared its state and scratch folders, deleted each other's files
     * and failed points.
     *
     * @return the claim, for {@link #release}
     */
    static String claim(HazelcastInstance hz, String sweepId, java.nio.file.Path out) {
        var cluster = hz.getCluster();
        if (cluster.getLocalMember().isLiteMember() && cluster.getMembers().stream().allMatch(m -> m.isLiteMember())) {
            cluster.promoteLocalLiteMember(); // alone (the members it joined left): no one to hold the claim but itself
        }
        var me = hz.getCluster().getLocalMember();
        var mine = me.getUuid() + " " + Addresses.of(me) + " " + out;
        var coordinators = coordinators(hz);
        while (true) {
            var other = coordinators.putIfAbsent(sweepId, mine);
            if (other == null) break;
            var parts = other.split(" ", 3);
            if (isMember(hz, java.util.UUID.fromString(parts[0]))) {
                throw new ClaimRefused("sweep " + sweepId + " is already running on this cluster, coordinated by "
                        + parts[1] + " into " + parts[2] + "; wait for it to end (the same command then finds its points "
                        + "there only if --out is the same), or run this one on a cluster of its own (--cluster NAME); a coordinator "
                        + "killed moments ago stays a member for up to 10 s");
            }
            if (coordinators.replace(sweepId, other, mine)) break; // its coordinator left without releasing it
        }
        destroy(hz, sweepId);
        return mine;
    }

    /** A second coordinator of a sweep that already has one: it took no work, and leaves nothing behind. */
    static final class ClaimRefused extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        ClaimRefused(String message) {
            super(message);
        }
    }

    /** Gives up a {@link #claim} (a stopped coordinator's lapses when it leaves the cluster). */
    static void release(HazelcastInstance hz, String sweepId, String claim) {
        coordinators(hz).remove(sweepId, claim);
    }

    /** Whether the member {@code uuid} is in the cluster now. */
    static boolean isMember(HazelcastInstance hz, java.util.UUID uuid) {
        for (var m : hz.getCluster().getMembers()) if (m.getUuid().equals(uuid)) return true;
        return false;
    }
}

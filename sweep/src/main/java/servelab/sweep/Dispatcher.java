package servelab.sweep;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.durableexecutor.DurableExecutorService;

/**
 * Hands points to the durable executor, each to the partition of the member with the most free threads, so no
 * member queues work while another idles and at most one point per thread is in flight. The durable executor
 * keeps a backup of every task on another member: if the member running it dies, the backup's owner runs it again.
 */
final class Dispatcher {
    /** A finished task: its result, or the exception its future ended with. */
    record Done(Point point, UUID memberUuid, long taskId, PointResult result, Throwable failure) {}

    /** Where a point went. */
    private record Sent(Point point, UUID member) {}

    private final HazelcastInstance hz;
    private final DurableExecutorService executor;
    private final BlockingQueue<Done> done;
    /** Points sent and not answered, by point id: a point is out until an answer for it comes, from any member. */
    private final Map<String, Sent> sent = new java.util.LinkedHashMap<>();

    /** The sweep this coordinator runs (null: send to any member). */
    private final String sweepId;

    Dispatcher(HazelcastInstance hz, BlockingQueue<Done> done, String sweepId) {
        this.hz = hz;
        this.sweepId = sweepId;
        this.executor = hz.getDurableExecutorService(SweepMember.EXECUTOR);
        this.done = done;
    }

    /**
     * Points queued on a member beyond its threads: a thread that finishes one starts the next at once instead of
     * idling through the coordinator's round trip (result back, files written, next point sent), which cost as much
     * as a 300-request point itself. A queued point on a member that dies is run again like a running one.
     */
    static final int AHEAD = 1;

    /** The member with room (its threads plus {@link #AHEAD}) and the fewest points in flight per thread, or null. */
    Member freeMember() {
        Member best = null;
        double bestLoad = Double.MAX_VALUE;
        var busyBy = new HashMap<UUID, Integer>();
        for (var x : sent.values()) busyBy.merge(x.member(), 1, Integer::sum);
        for (var m : hz.getCluster().getMembers()) {
            // not a second coordinator of this sweep (refused as it joined; one sent a point had all of them rerun)
            if (!m.localMember() && sweepId != null && sweepId.equals(m.getAttribute(SweepMember.COORDINATES_ATTRIBUTE))) {
                continue;
            }
            int threads = threads(m);
            int busy = busyBy.getOrDefault(m.getUuid(), 0);
            if (busy >= threads + AHEAD) continue;
            double load = (double) busy / threads;
            if (load < bestLoad) {
                best = m;
                bestLoad = load;
            }
        }
        return best;
    }

    void submit(Point point, PointTask task, Member member) {
        var future = executor.submitToKeyOwner(task, keyOwnedBy(member));
        sent.put(point.id(), new Sent(point, member.getUuid()));
        future.whenComplete((result, failure) -> done.add(new Done(point, member.getUuid(), future.getTaskId(), result,
                // a task run again after its member died has answered with no result and no failure: lost, sent again
                result == null && failure == null ? new IllegalStateException("the cluster answered point "
                        + point.id() + " with no result (its member left)") : failure)));
    }

    void finished(Done d) {
        sent.remove(d.point().id());
        if (d.failure() == null) executor.disposeResult(d.taskId()); // results are kept until read; free the memory
    }

    /**
     * The points sent to members that have left, unanswered: they are the caller's to send again. The durable
     * executor should run them again on the member that took the partition, but the sweep stopped waiting for them
     * (it counted per member and forgot the member) and a worker killed near the end lost its points, exit 0. Sent
     * again, a point answered twice is written once (the second answer is a duplicate).
     */
    java.util.List<Point> forgetDeparted() {
        var present = hz.getCluster().getMembers().stream().map(Member::getUuid).collect(java.util.stream.Collectors.toSet());
        var orphans = new java.util.ArrayList<Point>();
        for (var it = sent.values().iterator(); it.hasNext(); ) {
            var x = it.next();
            if (!present.contains(x.member())) {
                orphans.add(x.point());
                it.remove();
            }
        }
        return orphans;
    }

    int inFlight() {
        return sent.size();
    }

    private static int threads(Member m) {
        var t = m.getAttribute(SweepMember.THREADS_ATTRIBUTE);
        return t == null ? 1 : Integer.parseInt(t);
    }

    /** A key whose partition the member owns (a partition moves only when members come or go). */
    private Object keyOwnedBy(Member member) {
        var partitions = hz.getPartitionService();
        for (int i = 0; i < 100_000; i++) {
            var key = "servelab-" + i;
            var owner = partitions.getPartition(key).getOwner();
            if (owner != null && owner.getUuid().equals(member.getUuid())) return key;
        }
        return "servelab-0"; // it owns no partition (yet): any member will do
    }
}

package servelab.sweep;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.hazelcast.core.HazelcastInstance;

/**
 * Runs a sweep from the coordinator: skips points already complete in the folder, starts (or joins) the cluster,
 * shares the trace, hands out the missing points, writes each result into the folder as it arrives, and finally
 * {@code sweep.arrow}. A point that fails is recorded with its error; it runs again on the next invocation.
 */
public final class SweepRunner {
    /** A task whose future ended without a result (not a failed run: the cluster lost it) is handed out again. */
    static final int MAX_RESUBMITS = 3;

    /**
     * What one invocation did.
     *
     * @param total      points in the sweep
     * @param skipped    already complete before this invocation
     * @param ran        finished in this invocation (ok or failed)
     * @param failed     of those, failed
     * @param reran      points started more than once (a member died under them, or the cluster lost the task)
     * @param duplicates second results of a point that ran twice, dropped
     */
    public record Outcome(SweepPlan plan, java.nio.file.Path dir, int total, int skipped, int ran, int failed,
                          int reran, int duplicates) {}

    private SweepRunner() {}

    /**
     * @param hz a started member (the caller shuts it down), or null to start one from {@code member} when there is
     *           work to do
     */
    public static Outcome run(SweepPlan plan, java.nio.file.Path out, MemberOptions member, HazelcastInstance hz,
                              SweepProgress progress) throws IOException, InterruptedException {
        // the outermost folder of --out this invocation makes (null: it exists), removed if the sweep is refused
        java.nio.file.Path created = null;
        for (var p = out.toAbsolutePath(); p != null && !java.nio.file.Files.exists(p); p = p.getParent()) created = p;
        var folder = new SweepFolder(out);
        folder.requireSameSweep(plan);
        boolean owned = hz == null;
        // Ctrl-C or SIGTERM: this thread stops, writes sweep.arrow (the points not done marked missing) and ends the
        // member, then the JVM exits; Hazelcast's own hook would end the member under it (a page of stack traces)
        var stopped = new java.util.concurrent.CountDownLatch(1);
        var main = Thread.currentThread();
        var signalled = new java.util.concurrent.atomic.AtomicBoolean();
        var hook = Thread.ofPlatform().name("servelab-sweep-stop").unstarted(() -> {
            signalled.set(true);
            main.interrupt();
            try {
                stopped.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // (before sweep.json and the member: a Ctrl-C while the member started ended the JVM with no word and no
        // sweep.arrow, and one just after sweep.json appeared sometimes did too)
        if (owned) Runtime.getRuntime().addShutdownHook(hook);
        String claim = null;
        try {
            folder.writeDescription(plan);
            var todo = new ArrayDeque<Point>();
            for (var p : plan.points()) if (!folder.isComplete(p.id())) todo.add(p);
            int skipped = plan.points().size() - todo.size();
            if (todo.isEmpty()) {
                SweepTable.write(plan, folder);
                return new Outcome(plan, out, plan.points().size(), skipped, 0, 0, 0, 0);
            }
            if (owned) hz = SweepMember.start(member, false, plan.id());
            if (signalled.get()) throw new InterruptedException("stopped as the member started");
            claim = SweepState.claim(hz, plan.id(), out);
            if (hz.getCluster().getLocalMember().isLiteMember()) hz.getCluster().promoteLocalLiteMember();
            // the partitions this member's joining moves are moved before any point is sent: a point running in a
            // moving partition is run again by its new owner
            for (long t0 = System.nanoTime(); !hz.getPartitionService().isClusterSafe()
                    && System.nanoTime() - t0 < 30_000_000_000L; ) {
                Thread.sleep(50);
            }
            var counts = dispatch(plan, hz, folder, todo, progress);
            SweepTable.write(plan, folder);
            SweepState.destroy(hz, plan.id());
            SweepState.release(hz, plan.id(), claim);
            if (owned) hz.shutdown();
            return new Outcome(plan, out, plan.points().size(), skipped, counts[0], counts[1], counts[2], counts[3]);
        } catch (InterruptedException | IOException | RuntimeException e) {
            // interrupted or broken: leave at once; complete points are on disk and a rerun continues from them
            if (signalled.get()) Thread.interrupted(); // a flag left set (Hazelcast's start keeps it) fails every write
            progress.close();
            if (e instanceof SweepState.ClaimRefused) { // it ran nothing: no table of missing points, no new folders
                if (created != null) deleteQuietly(created);
            } else {
                writeTableAfter(plan, folder, e);
            }
            if (hz != null && claim != null) release(hz, plan.id(), claim);
            // our own stop or a refusal: shut down, no "Terminating forcefully" warning
            if (owned && hz != null && (signalled.get() || e instanceof SweepState.ClaimRefused)) hz.shutdown();
            else if (owned && hz != null) hz.getLifecycleService().terminate();
            // a signal's interrupt can reach us wrapped (a Hazelcast call that was waiting): still a stop
            if (e instanceof InterruptedException || signalled.get()) { // said here, before the hook lets the JVM end
                var stop = new InterruptedException("stopped; " + folder.completeCount(plan) + " of "
                        + plan.points().size() + " points are complete in " + out + " (sweep.arrow marks the others "
                        + "missing); the same command continues it");
                System.err.println("servelab sweep: " + stop.getMessage());
                System.err.flush();
                throw stop;
            }
            throw e;
        } finally {
            progress.close();
            stopped.countDown();
            if (owned) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: it waits for the countDown above
                }
            }
        }
    }

    /** Gives up the claim on the way out; a member already stopping lets it lapse as it leaves the cluster. */
    private static void release(HazelcastInstance hz, String sweepId, String claim) {
        try {
            SweepState.release(hz, sweepId, claim);
        } catch (RuntimeException stopping) {
            // HazelcastInstanceNotActiveException and the like: the claim names a member that is gone
        }
    }

    private static void deleteQuietly(java.nio.file.Path dir) {
        try {
            PointTask.delete(dir);
        } catch (IOException | RuntimeException e) {
            // a folder left behind says nothing wrong; the refusal is the message
        }
    }

    /** sweep.arrow for what is on disk, after a stop; a failure to write it is added to the one that stopped us. */
    private static void writeTableAfter(SweepPlan plan, SweepFolder folder, Exception cause) {
        try {
            SweepTable.write(plan, folder);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /** Sends points from {@code todo} while a member has room. */
    private static void sendWhileRoom(Dispatcher dispatcher, ArrayDeque<Point> todo, SweepPlan plan, String baseYaml,
                                      java.util.UUID coordinator) {
        for (var m = dispatcher.freeMember(); m != null && !todo.isEmpty(); m = dispatcher.freeMember()) {
            var point = todo.poll();
            dispatcher.submit(point, new PointTask(plan.id(), coordinator, point, baseYaml, plan.trace()), m);
        }
    }

    /** @return ran, failed, reran, duplicates */
    private static int[] dispatch(SweepPlan plan, HazelcastInstance hz, SweepFolder folder, ArrayDeque<Point> todo,
                                  SweepProgress progress) throws IOException, InterruptedException {
        if (plan.trace().isPresent()) TraceShare.publish(hz, plan.trace().get());
        var baseYaml = plan.file().baseYaml();
        var done = new LinkedBlockingQueue<Dispatcher.Done>();
        var dispatcher = new Dispatcher(hz, done, plan.id());
        var coordinator = hz.getCluster().getLocalMember().getUuid();
        var lost = new HashMap<String, Integer>();
        int total = todo.size(), ran = 0, failed = 0, reran = 0, duplicates = 0;
        while (!todo.isEmpty() || dispatcher.inFlight() > 0) {
            for (var orphan : dispatcher.forgetDeparted()) { // its member left before answering: send it again
                if (!folder.isComplete(orphan.id()) && !todo.contains(orphan)) todo.add(orphan);
            }
            sendWhileRoom(dispatcher, todo, plan, baseYaml, coordinator);
            var d = done.poll(250, TimeUnit.MILLISECONDS);
            if (d != null) {
                dispatcher.finished(d);
                if (d.failure() == null) todo.remove(d.point()); // answered after all: not to be sent again
                sendWhileRoom(dispatcher, todo, plan, baseYaml, coordinator); // the next point goes out before this one's files
                if (d.failure() != null) {
                    if (lost.merge(d.point().id(), 1, Integer::sum) <= MAX_RESUBMITS) {
                        todo.add(d.point());
                        continue;
                    }
                    d = new Dispatcher.Done(d.point(), d.memberUuid(), d.taskId(), new PointResult(d.point().id(), "?", 0,
                            Map.of(), "the cluster lost this point " + (MAX_RESUBMITS + 1) + " times: " + d.failure()), null);
                }
                List<String> attempts = List.copyOf(SweepState.attempts(hz, plan.id()).get(d.point().id()));
                if (attempts.size() > 1) reran++;
                if (folder.isComplete(d.point().id())) {
                    duplicates++;
                } else if (d.result().ok()) {
                    folder.writeResult(plan, d.point(), d.result(), attempts);
                    ran++;
                } else {
                    folder.writeFailure(plan, d.point(), d.result(), attempts);
                    ran++;
                    failed++;
                }
            }
            progress.update(ran, SweepState.running(hz, plan.id()).size(), failed, total);
        }
        return new int[] {ran, failed, reran, duplicates};
    }
}

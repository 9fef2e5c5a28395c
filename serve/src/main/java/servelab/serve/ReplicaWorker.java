package servelab.serve;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import servelab.api.route.ReplicaView;
import servelab.runtime.engine.EngineException;
import servelab.runtime.engine.Replica;

/**
 * One replica's thread: between steps it runs what the front posted (arrivals, cancellations) in order, then steps
 * the replica at the current run-clock time, and publishes a snapshot for the router. The replica is touched by
 * this thread only; the router reads snapshots at most one step old, as a real router's view is.
 */
final class ReplicaWorker {
    /**
     * What admission and the router see of a replica (see {@link LiveEngine}); {@code prefixes}, when the replica has
     * a prefix cache, estimates what it holds from the prompts routed to it (null: no prefix knowledge).
     */
    record View(int index, int queuedRequests, int runningRequests, int freeBlocks, int totalBlocks,
                servelab.runtime.cluster.PrefixIndex prefixes) implements ReplicaView {
        View(int index, int queuedRequests, int runningRequests, int freeBlocks, int totalBlocks) {
            this(index, queuedRequests, runningRequests, freeBlocks, totalBlocks, null);
        }

        @Override public servelab.api.route.PrefixKnowledge prefixKnowledge() {
            return prefixes == null ? servelab.api.route.PrefixKnowledge.NONE : servelab.api.route.PrefixKnowledge.ESTIMATED;
        }

        @Override public int prefixCacheBlocks() {
            return prefixes == null ? 0 : prefixes.size();
        }

        @Override public int cachedPrefixBlocks(servelab.api.route.BlockHashes blocks) {
            return prefixes == null ? 0 : prefixes.matchedBlocks(blocks);
        }
    }

    private final Replica replica;
    private final LiveEngine engine;
    private final LinkedBlockingQueue<Consumer<Replica>> inbox = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile View view;
    private volatile boolean stopping;
    private volatile RuntimeException failure;

    ReplicaWorker(Replica replica, LiveEngine engine) {
        this.replica = replica;
        this.engine = engine;
        publish();
        this.thread = Thread.ofPlatform().name("servelab-replica-" + replica.index()).daemon().unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    /** Runs {@code command} on this replica's thread before its next step. */
    void post(Consumer<Replica> command) {
        inbox.add(command);
    }

    View view() {
        return view;
    }

    RuntimeException failure() {
        return failure;
    }

    private void loop() {
        try {
            while (!stopping) {
                var command = replica.hasWork() ? inbox.poll() : inbox.poll(50, TimeUnit.MILLISECONDS);
                for (; command != null; command = inbox.poll()) command.accept(replica);
                if (replica.hasWork()) {
                    long start = engine.nowNanos();
                    long end = start + replica.step(start);
                    engine.afterStep(replica, end);
                } else {
                    engine.idle(replica);
                }
                publish();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (EngineException e) {
            failure = e; // a policy failed with nothing to fall back on: this replica stops, the server says so
            endEverything("engine stopped: " + e.getMessage());
        }
    }

    /** After a failure: every request, queued or still arriving, ends at once, so no client waits for nothing. */
    private void endEverything(String reason) {
        try {
            while (!stopping) {
                replica.abandon(reason);
                publish();
                var command = inbox.poll(50, TimeUnit.MILLISECONDS);
                for (; command != null; command = inbox.poll()) command.accept(replica);
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void publish() {
        int queued = replica.queuedRequests();
        view = new View(replica.index(), queued, 0, replica.freeBlocks(), replica.totalBlocks());
    }

    /** Stops after the current step and ends the requests still queued with {@code reason}. */
    void stop(String reason) throws InterruptedException {
        stopping = true;
        thread.join();
        for (var command = inbox.poll(); command != null; command = inbox.poll()) command.accept(replica);
        replica.abandon(reason);
    }
}

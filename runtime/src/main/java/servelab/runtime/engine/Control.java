package servelab.runtime.engine;

import java.util.PriorityQueue;

import servelab.runtime.cluster.Fault;

/**
 * What the cluster itself does at a time, apart from requests and steps: a fault begins or ends, a cold start
 * ends, the autoscaler is asked, a scheduled action (a plugin switch) is due. At one instant, scheduled actions come
 * first, then ends, those before cold starts ending, those before starts, and those before the autoscaler (so it sees
 * the fleet as the instant leaves it); within a rank, in the order queued.
 */
sealed interface Control {
    long atNanos();

    /** An injected fault's start or end. */
    record Edge(long atNanos, Fault fault, boolean start) implements Control {}

    /** A starting replica's cold start is due to end (ignored if the replica has since crashed or restarted). */
    record Ready(long atNanos, int replica) implements Control {}

    /** A draining replica's last step ends: it goes off if nothing came back to it. */
    record Drained(long atNanos, int replica) implements Control {}

    /** An autoscaling interval ended. */
    record Tick(long atNanos) implements Control {}

    /** Something scheduled for this time of the run clock ({@link Simulation#at}). */
    record At(long atNanos, Runnable action) implements Control {}

    private static int rank(Control c) {
        return switch (c) {
            case Edge e -> e.start() ? 2 : 0;
            case Ready r -> 1;
            case Drained d -> 1;
            case Tick t -> 3;
            case At a -> -1;
        };
    }

    /** The pending controls in time order. */
    final class Queue {
        private record Entry(Control control, long order) {}

        private final PriorityQueue<Entry> queue = new PriorityQueue<>((a, b) -> {
            int c = Long.compare(a.control.atNanos(), b.control.atNanos());
            if (c == 0) c = Integer.compare(rank(a.control), rank(b.control));
            return c != 0 ? c : Long.compare(a.order, b.order);
        });
        private long order;

        void add(Control control) {
            queue.add(new Entry(control, order++));
        }

        long peekNanos() {
            return queue.isEmpty() ? Long.MAX_VALUE : queue.peek().control.atNanos();
        }

        Control poll() {
            return queue.poll().control;
        }

        boolean isEmpty() {
            return queue.isEmpty();
        }
    }
}

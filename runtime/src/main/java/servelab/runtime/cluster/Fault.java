package servelab.runtime.cluster;

/**
 * One injected fault of a run's schedule, resolved: run-clock nanoseconds and a replica index. The closed set an
 * experiment's {@code faults:} list is made of ({@code random} entries are expanded into these before a run).
 */
public sealed interface Fault permits Fault.Crash, Fault.Straggle, Fault.Partition, Fault.LostResponses {

    /** Replica index, or {@link #ALL} for a fault on every replica. */
    int replica();

    long startNanos();

    /** The kind as an experiment writes it ({@code crash}, {@code straggle}, ...), and the events table records it. */
    String kind();

    /** A replica target meaning every replica (lost responses only). */
    int ALL = -1;

    /**
     * The replica dies at {@code startNanos}: its running and waiting requests and all its KV are lost. With
     * {@code restart} it starts again at once and serves after its cold start (the model load from the profile plus
     * {@code warmupNanos}); without, it stays down.
     */
    record Crash(long startNanos, int replica, boolean restart, long warmupNanos) implements Fault {
        public Crash {
            check(startNanos, startNanos, replica);
            if (warmupNanos < 0) throw new IllegalArgumentException("warm-up must be >= 0 ns, was " + warmupNanos);
            if (replica == ALL) throw new IllegalArgumentException("a crash names one replica");
        }

        @Override public String kind() { return "crash"; }
    }

    /** Each step of the replica that starts in [start, end) takes {@code factor} times as long. */
    record Straggle(long startNanos, long endNanos, int replica, double factor) implements Fault {
        public Straggle {
            check(startNanos, endNanos, replica);
            if (!(factor > 0) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException("straggle factor must be > 0 and finite, was " + factor);
            }
            if (replica == ALL) throw new IllegalArgumentException("a straggler names one replica");
        }

        @Override public String kind() { return "straggle"; }
    }

    /** The router cannot reach the replica in [start, end). */
    record Partition(long startNanos, long endNanos, int replica) implements Fault {
        public Partition {
            check(startNanos, endNanos, replica);
            if (replica == ALL) throw new IllegalArgumentException("a partition names one replica");
        }

        @Override public String kind() { return "partition"; }
    }

    /** Each answer the replica (or every replica) gives in [start, end) is lost with {@code probability}. */
    record LostResponses(long startNanos, long endNanos, int replica, double probability) implements Fault {
        public LostResponses {
            check(startNanos, endNanos, replica);
            if (!(probability > 0 && probability <= 1)) {
                throw new IllegalArgumentException("loss probability must be in (0, 1], was " + probability);
            }
        }

        @Override public String kind() { return "lost-responses"; }
    }

    /** When the fault ends, or -1 for a crash (its end is the cold start's, known only when it happens). */
    default long endNanos() {
        return switch (this) {
            case Crash c -> -1;
            case Straggle s -> s.endNanos();
            case Partition p -> p.endNanos();
            case LostResponses l -> l.endNanos();
        };
    }

    /** "partition of replica 2, 100 to 250 ms" */
    default String describe() {
        String target = replica() == ALL ? "every replica" : "replica " + replica();
        String when = endNanos() < 0 ? "at " + ms(startNanos()) + " ms"
                : ms(startNanos()) + " to " + ms(endNanos()) + " ms";
        String extra = switch (this) {
            case Crash c -> c.restart() ? ", restarting" : ", not restarting";
            case Straggle s -> ", steps x" + s.factor();
            case Partition p -> "";
            case LostResponses l -> ", probability " + l.probability();
        };
        return kind() + " of " + target + ", " + when + extra;
    }

    private static String ms(long nanos) {
        return nanos % 1_000_000 == 0 ? Long.toString(nanos / 1_000_000) : Double.toString(nanos / 1e6);
    }

    private static void check(long start, long end, int replica) {
        if (start < 0) throw new IllegalArgumentException("fault start must be >= 0 ns, was " + start);
        if (end < start) throw new IllegalArgumentException("fault ends at " + end + " ns, before its start " + start);
        if (replica < ALL) throw new IllegalArgumentException("replica must be >= 0, was " + replica);
    }
}

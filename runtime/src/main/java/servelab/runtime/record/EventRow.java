package servelab.runtime.record;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Something that happened: type is one of {@link #TYPES}. Empty strings where not applicable.
 *
 * @param timeNanos run-clock time, &gt;= 0
 * @param iteration the replica's step it happened before or in, -1 when not tied to a step
 * @param replica   replica, -1 when not tied to one
 * @param type      one of {@link #TYPES}
 * @param kind      plugin kind for swaps and faults (scheduler, batcher, ...), the injected fault's kind for
 *                  fault-start and fault-end, {@code autoscaler} for scale, else {@code ""}
 * @param from      what was replaced ({@code name@version}), or {@code ""}
 * @param to        what replaced it, or {@code ""}
 * @param detail    free text: the fault message, the preempted request, ...
 * @param params    for a swap, the parameters the new plugin was given when the swap was asked for (sorted by key;
 *                  also in {@code detail} as text, which is what events.arrow stores), else empty; run.json's
 *                  plugin history takes them from here
 */
public record EventRow(long timeNanos, long iteration, int replica, String type, String kind, String from,
                       String to, String detail, Map<String, Object> params) {

    /** Accepted values of {@code type}. */
    public static final Set<String> TYPES = Set.of("swap", "fault", "preempt", "info", "fault-start", "fault-end",
            "replica", "scale");

    public EventRow {
        Objects.requireNonNull(type, "EventRow.type");
        Objects.requireNonNull(kind, "EventRow.kind");
        Objects.requireNonNull(from, "EventRow.from");
        Objects.requireNonNull(to, "EventRow.to");
        Objects.requireNonNull(detail, "EventRow.detail");
        Objects.requireNonNull(params, "EventRow.params");
        params = params.isEmpty() ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(params));
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("EventRow.type must be one of "
                    + String.join(", ", new java.util.TreeSet<>(TYPES)) + ", was '" + type + "'");
        }
        if (timeNanos < 0) throw new IllegalArgumentException("EventRow.timeNanos must be >= 0, was " + timeNanos);
        if (iteration < -1) throw new IllegalArgumentException("EventRow.iteration must be >= -1, was " + iteration);
        if (replica < -1) throw new IllegalArgumentException("EventRow.replica must be >= -1, was " + replica);
    }

    /** A row without parameters (every type but swap). */
    public EventRow(long timeNanos, long iteration, int replica, String type, String kind, String from, String to,
                    String detail) {
        this(timeNanos, iteration, replica, type, kind, from, to, detail, Map.of());
    }
}

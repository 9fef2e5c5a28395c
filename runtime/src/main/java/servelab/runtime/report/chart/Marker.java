package servelab.runtime.report.chart;

import java.util.Objects;

/**
 * A vertical line across an XY chart at {@code x}, named in the legend: a plugin swap, an injected fault's start or
 * end, or a scaling decision, on a time axis. Each kind has its own dash, so a crash and a scale-up at the same time
 * can be told apart; in a chart of several runs a fault or scaling marker takes its run's colour.
 *
 * @param x     where, in the x axis' unit
 * @param label legend entry, e.g. {@code scheduler fcfs -> sjf} (drawn as {@code swap: ...}) or {@code crash r1}
 * @param kind  what happened
 * @param run   the run's colour index (as its lines'), or -1 for the kind's own colour (a chart of one run)
 */
public record Marker(double x, String label, Kind kind, int run) {
    /** What a marker marks. */
    public enum Kind {
        /** A plugin swap: grey, numbered, a glyph and dash of its own. */
        SWAP,
        /** An injected fault's start: dotted. */
        FAULT,
        /** An injected fault's end: sparse dots. */
        FAULT_END,
        /** A scaling decision: dash-dot. */
        SCALE
    }

    public Marker {
        Objects.requireNonNull(label, "Marker.label");
        Objects.requireNonNull(kind, "Marker.kind");
        if (!Double.isFinite(x)) throw new IllegalArgumentException("Marker.x must be finite, was " + x);
    }

    /** A plugin swap. */
    public Marker(double x, String label) {
        this(x, label, Kind.SWAP, -1);
    }
}

package servelab.runtime.report.chart;

import java.util.Objects;

/**
 * A vertical line across an XY chart at {@code x}, named in the legend: a plugin swap, or an injected fault or a
 * scaling decision, on a time axis.
 *
 * @param x     where, in the x axis' unit
 * @param label legend entry, e.g. {@code scheduler fcfs -> sjf} (drawn as {@code swap: ...}) or {@code crash r1}
 * @param fault a fault or fleet event (drawn dotted in red, its label as is) rather than a plugin swap
 */
public record Marker(double x, String label, boolean fault) {
    public Marker {
        Objects.requireNonNull(label, "Marker.label");
        if (!Double.isFinite(x)) throw new IllegalArgumentException("Marker.x must be finite, was " + x);
    }

    /** A plugin swap. */
    public Marker(double x, String label) {
        this(x, label, false);
    }
}

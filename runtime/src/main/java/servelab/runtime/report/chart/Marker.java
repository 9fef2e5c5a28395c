package servelab.runtime.report.chart;

import java.util.Objects;

/**
 * A vertical line across an XY chart at {@code x}, named in the legend: a plugin swap on a time axis.
 *
 * @param x     where, in the x axis' unit
 * @param label legend entry, e.g. {@code swap: scheduler fcfs -> sjf}
 */
public record Marker(double x, String label) {
    public Marker {
        Objects.requireNonNull(label, "Marker.label");
        if (!Double.isFinite(x)) throw new IllegalArgumentException("Marker.x must be finite, was " + x);
    }
}

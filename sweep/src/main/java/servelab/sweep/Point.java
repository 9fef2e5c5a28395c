package servelab.sweep;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One experiment of a sweep.
 *
 * @param index     position in the grid (axes in file order, the last one varying fastest)
 * @param id        16 hex digits of SHA-256 over the resolved experiment and the trace's SHA-256: the same
 *                  experiment has the same id in every sweep, whatever the file says around it
 * @param values    axis key to the value's plain text, in axis order
 * @param overrides {@code --set} overrides on the base that make this point (the sweep's {@code set}, then its axes)
 * @param replicas  the resolved experiment's replicas (the sweep table's cost column multiplies them by time)
 */
public record Point(int index, String id, Map<String, String> values, List<String> overrides, int replicas)
        implements Serializable {
    public Point {
        values = new LinkedHashMap<>(values); // insertion order is the axis order, and it must stay serializable
        overrides = List.copyOf(overrides);
    }
}

package servelab.runtime.report;

import java.util.ArrayList;
import java.util.List;

import servelab.runtime.record.ResultTable;

/**
 * A plugin swap recorded in {@code events.arrow} ({@code type = swap}).
 *
 * @param timeNanos when, on the run clock
 * @param iteration the replica's step it happened before; -1 when not tied to a step
 * @param kind      plugin kind ({@code scheduler}, {@code batcher}, ...)
 * @param from      replaced plugin as {@code name@version}
 * @param to        new plugin as {@code name@version}
 */
public record SwapEvent(long timeNanos, long iteration, String kind, String from, String to) {

    /** The swaps of a run in recorded order; none for a run without an events table. */
    public static List<SwapEvent> of(RunResults run) {
        var out = new ArrayList<SwapEvent>();
        run.table(ResultTable.EVENTS).ifPresent(events -> {
            var types = events.strings("type");
            long[] times = events.longs("time_ns");
            long[] iterations = events.longs("iteration");
            var kinds = events.strings("kind");
            var from = events.strings("from_value");
            var to = events.strings("to_value");
            for (int i = 0; i < types.size(); i++) {
                if (types.get(i).equals("swap")) {
                    out.add(new SwapEvent(times[i], iterations[i], kinds.get(i), from.get(i), to.get(i)));
                }
            }
        });
        return List.copyOf(out);
    }

    /** A short label for charts: {@code scheduler fcfs -> sjf} (versions left out when the names differ). */
    public String label() {
        String a = from.replaceAll("@.*", "");
        String b = to.replaceAll("@.*", "");
        return kind + " " + (a.equals(b) ? from + " -> " + to : a + " -> " + b);
    }
}

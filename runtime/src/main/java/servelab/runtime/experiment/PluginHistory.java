package servelab.runtime.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import servelab.runtime.engine.ResultSink;
import servelab.runtime.host.HostListener;
import servelab.runtime.record.EventRow;

/**
 * What happened to a run's plugins: every swap (with the parameters the new plugin got, so a {@code ctl switch} that
 * changed only parameters is on record) and every fault, for run.json's {@code plugin_history} and
 * {@code faulted_plugins}. A plugin's fault is also said on the console as it happens: the console had already said
 * the plugin was swapped in, and without this line only events.arrow knew it had been thrown out again.
 *
 * <p>It sees the event rows on their way to the recorder ({@link #wrap}); the host's own faults (a jar that is not a
 * bundle, kind {@code ""}) are echoed by {@link HostEvents} already and are not plugin history. A swap's parameters
 * come with its row ({@link EventRow#params}), as given when the swap was asked for: the slot itself may hold a later
 * swap's plugin by the time the row passes here.
 */
public final class PluginHistory {
    private final HostListener console;
    private final List<Map<String, Object>> entries = new ArrayList<>();
    private final Map<String, Map<String, Object>> faulted = new LinkedHashMap<>();

    public PluginHistory(HostListener console) {
        this.console = console;
    }

    /** {@code out}, with every swap and plugin fault noted here on the way. */
    public ResultSink wrap(ResultSink out) {
        return new ResultSink() {
            @Override public void request(servelab.runtime.record.RequestRow row) { out.request(row); }
            @Override public void iteration(servelab.runtime.record.IterationRow row) { out.iteration(row); }
            @Override public boolean wantsIteration(long iteration) { return out.wantsIteration(iteration); }
            @Override public void stepped(int replica, long query, long hit, long tokens) { out.stepped(replica, query, hit, tokens); }
            @Override public void cluster(servelab.runtime.record.ClusterRow row) { out.cluster(row); }
            @Override public void output(long requestId, int[] tokens) { out.output(requestId, tokens); }
            @Override public void tokens(long id, int[] ids, int from, int to, long nanos) { out.tokens(id, ids, from, to, nanos); }
            @Override public void scheduled(long requestId, long nanos) { out.scheduled(requestId, nanos); }

            @Override
            public void event(EventRow row) {
                note(row);
                out.event(row);
            }
        };
    }

    /** Records {@code row} if it is a swap or a plugin's fault; a fault is printed too. */
    public synchronized void note(EventRow row) {
        if (row.kind().isEmpty()) return;
        switch (row.type()) {
            case "swap" -> entries.add(swap(row));
            case "fault" -> {
                entries.add(fault(row));
                faulted.putIfAbsent(row.kind() + " " + row.from(), ordered("kind", row.kind(), "plugin", row.from(),
                        "time_ns", row.timeNanos(), "reason", row.detail()));
                console.report("fault", row.kind(), row.from(), row.to().isEmpty() ? "not reverted" : revertedTo(row),
                        row.detail() + where(row));
            }
            default -> { }
        }
    }

    /**
     * "reverted to NAME@VERSION": the plugin the last swap of the faulted one's slot replaced (the console said
     * "reverted" only, and the next deploy line or plugin_history had to tell to what).
     */
    private String revertedTo(EventRow fault) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            var e = entries.get(i);
            if ("swap".equals(e.get("event")) && fault.kind().equals(e.get("kind")) && fault.from().equals(e.get("to"))
                    && (fault.replica() < 0 || java.util.Objects.equals(e.get("replica"), (long) fault.replica()))) {
                return "reverted to " + e.get("from");
            }
        }
        return "reverted";
    }

    /** run.json's {@code plugin_history}: swaps and faults in the order they happened. */
    public synchronized List<Map<String, Object>> entries() {
        return List.copyOf(entries);
    }

    /**
     * run.json's {@code faulted_plugins}: each plugin version that faulted, once, with its first fault. A later
     * {@code ctl switch} does not pick these again unless asked for by version ({@code NAME@VERSION}).
     */
    public synchronized List<Map<String, Object>> faulted() {
        return List.copyOf(faulted.values());
    }

    /**
     * The history a killed run's events.arrow holds (for {@code servelab recover}: run.json gets it only when a run
     * ends). A swap's parameters come back from its row's detail ({@code params {k=v, ...} from SOURCE}), each value
     * a number or {@code true}/{@code false} where it reads as one, else its text.
     */
    public static PluginHistory fromEvents(servelab.runtime.report.Table events) {
        var history = new PluginHistory((type, kind, from, to, detail) -> { });
        long[] time = events.longs("time_ns"), iteration = events.longs("iteration"), replica = events.longs("replica");
        List<String> type = events.strings("type"), kind = events.strings("kind"), detail = events.strings("detail");
        List<String> from = events.strings("from_value"), to = events.strings("to_value");
        for (int i = 0; i < events.rowCount(); i++) {
            if (!type.get(i).equals("swap") && !type.get(i).equals("fault")) continue;
            Map<String, Object> params = type.get(i).equals("swap") ? paramsOf(detail.get(i)) : Map.of();
            history.note(new EventRow(time[i], iteration[i], (int) replica[i], type.get(i), kind.get(i), from.get(i),
                    to.get(i), detail.get(i), params));
        }
        return history;
    }

    /** The parameters a swap's detail names ({@code params {a=1, b=[x, y]} from ...}); empty when it names none. */
    static Map<String, Object> paramsOf(String detail) {
        var out = new LinkedHashMap<String, Object>();
        if (!detail.startsWith("params {")) return out;
        int depth = 0, start = "params {".length();
        for (int i = start; i < detail.length(); i++) {
            char c = detail.charAt(i);
            if (c == '[' || c == '{') depth++;
            else if ((c == ']' || c == '}') && depth > 0) depth--;
            else if (depth == 0 && (c == '}' || (c == ',' && detail.startsWith(", ", i)))) {
                var pair = detail.substring(start, i);
                int eq = pair.indexOf('=');
                if (eq > 0) out.put(pair.substring(0, eq), value(pair.substring(eq + 1)));
                if (c == '}') break;
                start = i + 2;
            }
        }
        return out;
    }

    private static Object value(String text) {
        if (text.equals("true") || text.equals("false")) return Boolean.valueOf(text);
        try {
            return Long.valueOf(text);
        } catch (NumberFormatException notLong) {
            try {
                double d = Double.parseDouble(text);
                return Double.isFinite(d) && !text.isBlank() && Character.isDigit(text.charAt(text.length() - 1))
                        ? d : text;
            } catch (NumberFormatException notNumber) {
                return text;
            }
        }
    }

    private static Map<String, Object> swap(EventRow row) {
        return ordered("time_ns", row.timeNanos(), "iteration", orNull(row.iteration()), "replica", orNull(row.replica()),
                "event", "swap", "kind", row.kind(), "from", row.from(), "to", row.to(), "params", row.params(),
                "detail", row.detail());
    }

    private static Map<String, Object> fault(EventRow row) {
        return ordered("time_ns", row.timeNanos(), "iteration", orNull(row.iteration()), "replica", orNull(row.replica()),
                "event", "fault", "kind", row.kind(), "plugin", row.from(), "reverted", row.to().equals("reverted"),
                "detail", row.detail());
    }

    /** A cluster-scope swap has no iteration or replica: null, as events.arrow writes it (was -1 here). */
    private static Long orNull(long value) {
        return value < 0 ? null : value;
    }

    private static String where(EventRow row) {
        return " (" + (row.iteration() >= 0 ? "iteration " + row.iteration() + ", " : "")
                + (row.replica() >= 0 ? "replica " + row.replica() : "cluster") + ")";
    }

    private static LinkedHashMap<String, Object> ordered(Object... keysAndValues) {
        return ExperimentRunner.ordered(keysAndValues);
    }
}

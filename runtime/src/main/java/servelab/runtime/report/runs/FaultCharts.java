package servelab.runtime.report.runs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.knowm.xchart.XYChart;

import servelab.runtime.record.ResultTable;
import servelab.runtime.record.Slo;
import servelab.runtime.report.NamedRun;
import servelab.runtime.report.chart.Charts;
import servelab.runtime.report.chart.Line;
import servelab.runtime.report.chart.Marker;

/**
 * Goodput and failures over time with the runs' injected faults and scaling decisions marked: what a crash, a
 * partition or a cold start did to the requests arriving around it.
 */
public final class FaultCharts {
    /** Time bins across the longest run. */
    static final int BINS = 60;
    /** More fault markers than this crowd the legend: the first ones are drawn and the title says how many. */
    static final int MAX_MARKERS = 16;

    private FaultCharts() {
    }

    /** Whether any run recorded an injected fault or a fleet change (events of type fault-start, replica, scale). */
    public static boolean anyFaults(List<NamedRun> runs) {
        return runs.stream().anyMatch(run -> !events(run).isEmpty());
    }

    /**
     * Per run, requests by arrival time per second: completed within every SLO (goodput, solid) and failed or
     * rejected (dashed); with no SLO goodput counts every completed request.
     *
     * @param slos each run's SLO, in the order of {@code runs}
     */
    public static XYChart goodputAndFailures(List<NamedRun> runs, List<Slo> slos) {
        double end = 0;
        for (var run : runs) {
            for (double a : run.results().requests().doubles("arrival_ns")) end = Math.max(end, a / 1e9);
        }
        double width = end > 0 ? end / BINS : 1;
        var lines = new ArrayList<Line>();
        for (int i = 0; i < runs.size(); i++) {
            var r = runs.get(i).results().requests();
            double[] arrival = r.doubles("arrival_ns");
            var errors = r.strings("error");
            double[] ttft = r.doubles("ttft_ms"), tpot = r.doubles("tpot_ms"), e2el = r.doubles("e2el_ms");
            var good = new double[BINS];
            var failed = new double[BINS];
            for (int k = 0; k < arrival.length; k++) {
                int b = Math.min(BINS - 1, (int) (arrival[k] / 1e9 / width));
                if (!errors.get(k).isEmpty()) failed[b] += 1 / width;
                else if (slos.get(i).isMet(ttft[k], tpot[k], e2el[k])) good[b] += 1 / width;
            }
            var x = new double[BINS];
            for (int b = 0; b < BINS; b++) x[b] = (b + 0.5) * width;
            String name = runs.get(i).name();
            lines.add(Line.of(name + " goodput", x, good, i));
            lines.add(new Line(name + " failed", x, failed, i, true));
        }
        var markers = markers(runs);
        String title = "Goodput and failures by arrival time (req/s, per "
                + String.format(Locale.ROOT, "%.3g", width) + " s bin)";
        if (markers.size() > MAX_MARKERS) {
            title += "; first " + MAX_MARKERS + " of " + markers.size() + " fault events marked";
            markers = markers.subList(0, MAX_MARKERS);
        }
        return Charts.overTime(title, "requests / s", lines, markers);
    }

    private static List<Marker> markers(List<NamedRun> runs) {
        var out = new ArrayList<Marker>();
        for (int i = 0; i < runs.size(); i++) {
            var run = runs.get(i);
            for (var e : events(run)) {
                out.add(new Marker(e.timeS(), (runs.size() > 1 ? run.name() + " " : "") + e.label(), e.kind(),
                        runs.size() > 1 ? i : -1));
            }
        }
        return out;
    }

    private static final java.util.regex.Pattern CLAMPED = java.util.regex.Pattern.compile(": clamped to (\\d+);");

    /**
     * A scaling decision as the fleet took it: {@code to_value} is the autoscaler's ask, and the detail says when
     * the cluster clamped it to {@code [min, max]} ("scale 1 -> 8" in a fleet of at most 4 read as 8 replicas).
     */
    static String scaleLabel(String had, String asked, String detail) {
        var clamped = CLAMPED.matcher(detail);
        return clamped.find() ? "scale " + had + " -> " + clamped.group(1) + " (asked " + asked + ")"
                : "scale " + had + " -> " + asked;
    }

    /** A fault's start or end, or a scaling decision, as one chart marks it. */
    record FaultEvent(double timeS, String label, Marker.Kind kind) {}

    /** The run's fault starts and ends and scaling decisions, in recorded order. */
    static List<FaultEvent> events(NamedRun run) {
        var out = new ArrayList<FaultEvent>();
        run.results().table(ResultTable.EVENTS).ifPresent(events -> {
            var types = events.strings("type");
            long[] times = events.longs("time_ns");
            boolean[] noReplica = events.nulls("replica");
            long[] replicas = events.longs("replica");
            var kinds = events.strings("kind");
            var from = events.strings("from_value");
            var to = events.strings("to_value");
            var details = events.strings("detail");
            for (int i = 0; i < types.size(); i++) {
                String target = noReplica[i] ? "all" : "r" + replicas[i];
                double at = times[i] / 1e9;
                switch (types.get(i)) {
                    case "fault-start" -> out.add(new FaultEvent(at, kinds.get(i) + " " + target, Marker.Kind.FAULT));
                    case "fault-end" -> out.add(new FaultEvent(at, kinds.get(i) + " " + target + " ends",
                            Marker.Kind.FAULT_END));
                    case "scale" -> out.add(new FaultEvent(at, scaleLabel(from.get(i), to.get(i), details.get(i)),
                            Marker.Kind.SCALE));
                    default -> { }
                }
            }
        });
        return out;
    }
}

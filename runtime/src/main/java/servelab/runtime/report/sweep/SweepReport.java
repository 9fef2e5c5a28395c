package servelab.runtime.report.sweep;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import servelab.runtime.report.chart.Png;
import servelab.runtime.report.doc.Document;

/**
 * {@code servelab report SWEEP_DIR}: report.md and report.html over a sweep: its points (ok, failed), goodput along
 * each axis, a heatmap over the first two axes that vary, every configuration (the points of one setting of the
 * axes other than the seed) with its spread over seeds, and the Pareto front of those configurations' means of
 * goodput against replica-seconds.
 */
public final class SweepReport {
    private SweepReport() {}

    public record Written(Path markdown, Path html, List<Path> charts) {}

    public static Written write(SweepResults sweep, Path out) throws IOException {
        var goodput = sweep.goodputColumn();
        java.nio.file.Files.createDirectories(out);
        var doc = new Document("ServeLab sweep " + sweep.id());
        var status = sweep.strings("status");
        long failed = status.stream().filter("failed"::equals).count();
        long missing = status.stream().filter("missing"::equals).count();
        doc.paragraph(String.format(Locale.ROOT, "%d points over %s: %d ok, %d failed, %d missing. Goodput here is %s%s.",
                sweep.size(), String.join(", ", sweep.axes()), sweep.size() - failed - missing, failed, missing, goodput,
                goodput.equals("request_throughput") ? " (the points had no SLO, so every completed request counts)" : ""));
        var charts = new ArrayList<Path>();
        var axes = SweepCharts.varyingAxes(sweep);
        doc.heading(2, "Along the axes");
        for (int i = 0; i < axes.size(); i++) {
            String series = axes.size() > 1 ? axes.get(i == 0 ? 1 : 0) : null;
            for (var metric : List.of(goodput, "p99_ttft_ms")) {
                var file = "along-" + safe(axes.get(i)) + "-" + metric + ".png";
                Png.write(SweepCharts.along(sweep, metric, axes.get(i), series), out.resolve(file));
                charts.add(out.resolve(file));
                doc.image(file, metric + " by " + axes.get(i));
            }
        }
        if (axes.size() >= 2) {
            doc.heading(2, "Heatmap");
            var file = "heatmap-" + goodput + ".png";
            Png.write(SweepCharts.heatmap(sweep, goodput, axes.get(0), axes.get(1)), out.resolve(file));
            charts.add(out.resolve(file));
            doc.image(file, goodput + " by " + axes.get(0) + " and " + axes.get(1));
        }
        var configurations = Configurations.of(sweep);
        doc.heading(2, "Configurations");
        doc.paragraph(spreadNote(configurations, goodput));
        if (sweep.columns().containsKey("overloaded")) {
            long overloaded = sweep.strings("overloaded").stream().filter("true"::equals).count();
            if (overloaded > 0) {
                doc.paragraph(String.format(Locale.ROOT, "%d of %d points were overloaded (their summary.json's "
                        + "`overloaded`: the queue grew for as long as requests came): their latency and goodput figures "
                        + "grow with the trace's length, not only with their configuration.", overloaded, sweep.size()));
            }
        }
        doc.table(header(configurations, goodput), rows(configurations, goodput, indices(configurations.list().size())));
        doc.heading(2, "Pareto front: " + goodput + " against " + sweep.costColumn().replace("_", "-"));
        Png.write(SweepCharts.pareto(sweep, goodput), out.resolve("pareto.png"));
        charts.add(out.resolve("pareto.png"));
        doc.image("pareto.png", "Pareto front");
        doc.paragraph("The front is taken over configurations, each at its mean over its seeds: a front over single "
                + "points picks the luckiest seed.");
        doc.table(header(configurations, goodput), rows(configurations, goodput,
                Pareto.front(configurations.means(goodput), configurations.means(sweep.costColumn()))));
        if (failed > 0) {
            doc.heading(2, "Failed points");
            var errors = sweep.strings("error");
            var ids = sweep.strings("point_id");
            var items = new ArrayList<String>();
            for (int i = 0; i < sweep.size(); i++) if (status.get(i).equals("failed")) items.add(ids.get(i) + ": " + errors.get(i));
            doc.bullets(items);
        }
        doc.write(out, "report");
        return new Written(out.resolve("report.md"), out.resolve("report.html"), charts);
    }

    /** How many seeds each configuration has, and what that means for the figures below. */
    static String spreadNote(Configurations configurations, String goodput) {
        int seeds = configurations.mostSeeds();
        if (seeds < 2) {
            return "One point per configuration: no spread is shown, and none is known. Between seeds a p99 moves by "
                    + "tens of percent; a sweep over a few seeds (seed: [1, 2, 3]) says how far.";
        }
        long repeats = configurations.repeats(List.of(goodput, "replica_seconds", "p99_ttft_ms", "request_throughput"));
        String note = String.format(Locale.ROOT, "%d configurations, up to %d seeds each: mean (least to most) over the "
                + "seeds, and the sample standard deviation of %s.", configurations.list().size(), seeds, goodput);
        if (repeats > 0) {
            note += String.format(Locale.ROOT, " In %d of them every seed gave the same figures: the seed did not change "
                    + "their workload (a trace file's requests are the same whatever the seed; it draws synthetic "
                    + "traces, shared prefixes, network delays and faults), so their seeds are repeats of one "
                    + "measurement, not replicates.", repeats);
        }
        return note;
    }

    private static List<String> header(Configurations configurations, String goodput) {
        var header = new ArrayList<>(configurations.axes());
        header.addAll(List.of("seeds", goodput, "sd", configurations.sweep().costColumn(), "p99_ttft_ms"));
        return header;
    }

    /** One row per configuration of {@code which}: its axes, seeds, and mean (least to most) of each figure. */
    static List<List<String>> rows(Configurations configurations, String goodput, List<Integer> which) {
        var rows = new ArrayList<List<String>>();
        for (int c : which) {
            var row = new ArrayList<>(configurations.list().get(c).values());
            var g = configurations.stats(c, goodput);
            row.add(Integer.toString(configurations.list().get(c).points().size()));
            row.add(spread(g));
            row.add(number(g.sd()));
            row.add(spread(configurations.stats(c, configurations.sweep().costColumn())));
            row.add(spread(configurations.stats(c, "p99_ttft_ms")));
            rows.add(row);
        }
        return rows;
    }

    /** {@code mean (min to max)}; the mean alone for one value; n/a where no point had the number. */
    static String spread(Configurations.Stats s) {
        if (s.n() == 0) return "n/a"; // no completed request, as the run report writes it
        if (s.n() == 1 || s.min() == s.max()) return number(s.mean());
        return number(s.mean()) + " (" + number(s.min()) + " to " + number(s.max()) + ")";
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static List<Integer> indices(int n) {
        return java.util.stream.IntStream.range(0, n).boxed().toList();
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}

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
 * each axis, a heatmap over the first two axes that vary, and the Pareto front of goodput against replica-seconds.
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
        doc.heading(2, "Pareto front: " + goodput + " against replica-seconds");
        Png.write(SweepCharts.pareto(sweep, goodput), out.resolve("pareto.png"));
        charts.add(out.resolve("pareto.png"));
        doc.image("pareto.png", "Pareto front");
        doc.table(header(sweep, goodput), rows(sweep, goodput, Pareto.front(sweep.doubles(goodput), sweep.doubles("replica_seconds"))));
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

    private static List<String> header(SweepResults sweep, String goodput) {
        var header = new ArrayList<>(List.of("point"));
        header.addAll(sweep.axes());
        header.addAll(List.of(goodput, "replica_seconds", "p99_ttft_ms"));
        return header;
    }

    static List<List<String>> rows(SweepResults sweep, String goodput, List<Integer> front) {
        var rows = new ArrayList<List<String>>();
        for (int i : front) {
            var row = new ArrayList<>(List.of(sweep.strings("point_id").get(i)));
            for (var a : sweep.axes()) row.add(sweep.strings(a).get(i));
            for (var m : List.of(goodput, "replica_seconds", "p99_ttft_ms")) {
                double v = sweep.doubles(m)[i]; // NaN: no completed request, as the run report writes it
                row.add(Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v));
            }
            rows.add(row);
        }
        return rows;
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}

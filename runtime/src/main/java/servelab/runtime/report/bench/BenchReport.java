package servelab.runtime.report.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.knowm.xchart.CategoryChart;

import servelab.runtime.report.chart.Bars;
import servelab.runtime.report.chart.Charts;
import servelab.runtime.report.chart.Png;
import servelab.runtime.report.doc.Document;

/**
 * The report of {@code servelab bench}: one table per suite (benchmark class) with score, error and unit, and with
 * a baseline the baseline's score, the ratio and a flag where the difference exceeds the combined error
 * ({@link BenchComparison}); one bar chart per suite and unit. Written as {@code bench.md} and {@code bench.html}.
 */
public final class BenchReport {

    private BenchReport() {
    }

    /** What was written, and the comparison it shows. */
    public record Written(Path markdown, Path html, List<Path> charts, BenchComparison comparison) {}

    /**
     * Writes the report of {@code resultsFile} (compared with {@code baselineFile} when given) into {@code out}.
     *
     * @throws servelab.runtime.report.InvalidResultsException naming a file that is not JMH's JSON
     */
    public static Written write(Path resultsFile, Optional<Path> baselineFile, Path out) throws IOException {
        var results = JmhResults.read(resultsFile);
        var baseline = baselineFile.isPresent() ? JmhResults.read(baselineFile.get()) : List.<JmhResult>of();
        var comparison = BenchComparison.of(results, baseline);
        Files.createDirectories(out);
        var doc = new Document("ServeLab benchmarks");
        var files = new ArrayList<>(List.of("results: `" + resultsFile + "` (" + results.size() + " benchmarks)"));
        baselineFile.ifPresent(b -> files.add("baseline: `" + b + "` (" + baseline.size() + " benchmarks)"));
        doc.bullets(files);
        if (baselineFile.isPresent()) {
            doc.paragraph("ratio = score / baseline score. SLOWER or faster: the difference exceeds the combined error "
                    + "(the sum of both 99.9% confidence half-widths, so the two intervals do not overlap); within "
                    + "error: it does not. Time modes (avgt, ss, sample) are better lower, throughput (thrpt) higher.");
            long slower = comparison.rows().stream().filter(r -> r.verdict() == BenchComparison.Verdict.SLOWER).count();
            doc.paragraph(slower == 0 ? "No benchmark is slower than the baseline beyond its error."
                    : slower + " benchmark" + (slower == 1 ? " is" : "s are") + " SLOWER than the baseline beyond the error.");
        }
        var charts = new ArrayList<Path>();
        var bySuite = new LinkedHashMap<String, List<BenchComparison.Row>>();
        for (var row : comparison.rows()) bySuite.computeIfAbsent(row.result().suite(), k -> new ArrayList<>()).add(row);
        for (var suite : bySuite.entrySet()) {
            doc.heading(2, suite.getKey());
            table(doc, suite.getValue(), baselineFile.isPresent());
            var byUnit = new LinkedHashMap<String, List<BenchComparison.Row>>();
            for (var row : suite.getValue()) byUnit.computeIfAbsent(row.result().unit(), k -> new ArrayList<>()).add(row);
            for (var unit : byUnit.entrySet()) {
                String file = fileName(suite.getKey(), unit.getKey(), byUnit.size());
                Png.write(chart(suite.getKey(), unit.getKey(), unit.getValue(), baselineFile.isPresent()), out.resolve(file));
                charts.add(out.resolve(file));
                doc.image(file, suite.getKey() + " (" + unit.getKey() + ")");
            }
        }
        if (!comparison.onlyInBaseline().isEmpty()) {
            doc.heading(2, "Only in the baseline").bullets(comparison.onlyInBaseline().stream()
                    .map(r -> "`" + r.benchmark() + "` " + r.mode() + (r.params().isEmpty() ? "" : " (" + r.paramText() + ")"))
                    .toList());
        }
        doc.write(out, "bench");
        return new Written(out.resolve("bench.md"), out.resolve("bench.html"), List.copyOf(charts), comparison);
    }

    private static void table(Document doc, List<BenchComparison.Row> rows, boolean withBaseline) {
        var header = new ArrayList<>(List.of("benchmark", "params", "mode", "score", "error (99.9%)", "unit"));
        if (withBaseline) header.addAll(List.of("baseline", "baseline error", "ratio", "flag"));
        var cells = new ArrayList<List<String>>();
        for (var row : rows) {
            var r = row.result();
            var line = new ArrayList<>(List.of(r.method(), r.paramText(), r.mode(), score(r.score()), score(r.error()), r.unit()));
            if (withBaseline) {
                // a baseline in another unit says so: its number sat under this row's unit
                String other = row.baseline().filter(b -> !b.unit().equals(row.result().unit()))
                        .map(b -> " " + b.unit()).orElse("");
                line.add(row.baseline().map(b -> score(b.score()) + other).orElse("n/a"));
                line.add(row.baseline().map(b -> score(b.error()) + other).orElse("n/a"));
                line.add(Double.isFinite(row.ratio()) ? String.format(Locale.ROOT, "%.3fx", row.ratio()) : "n/a");
                line.add(row.verdict().text());
            }
            cells.add(line);
        }
        doc.table(header, cells);
    }

    private static CategoryChart chart(String suite, String unit, List<BenchComparison.Row> rows, boolean withBaseline) {
        var categories = new ArrayList<String>();
        var now = new double[rows.size()];
        var nowErr = new double[rows.size()];
        var before = new double[rows.size()];
        var beforeErr = new double[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            var r = rows.get(i).result();
            categories.add(r.method() + (r.params().isEmpty() ? "" : " " + String.join(",", r.params().values())));
            now[i] = r.score();
            nowErr[i] = r.error();
            // no bar for a baseline in another unit than the chart's: on this axis it is wrong
            before[i] = rows.get(i).baseline().filter(b -> b.unit().equals(unit)).map(JmhResult::score).orElse(Double.NaN);
            beforeErr[i] = rows.get(i).baseline().filter(b -> b.unit().equals(unit)).map(JmhResult::error).orElse(Double.NaN);
        }
        var groups = new ArrayList<Bars>();
        if (withBaseline) groups.add(new Bars("baseline", before, beforeErr));
        groups.add(new Bars(withBaseline ? "this run" : "score", now, nowErr));
        return Charts.bars(suite + ": score with 99.9% error", unit, categories, groups);
    }

    private static String fileName(String suite, String unit, int units) {
        String base = "bench-" + suite.toLowerCase(Locale.ROOT);
        return (units == 1 ? base : base + "-" + unit.replaceAll("[^A-Za-z0-9]+", "_")) + ".png";
    }

    /** Four significant digits, no exponent for everyday magnitudes; n/a for NaN. */
    static String score(double x) {
        if (!Double.isFinite(x)) return "n/a";
        double a = Math.abs(x);
        if (a >= 1000) return String.format(Locale.ROOT, "%.1f", x);
        if (a >= 1) return String.format(Locale.ROOT, "%.3f", x);
        return String.format(Locale.ROOT, "%.4g", x);
    }
}

package servelab.runtime.notebook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import servelab.runtime.record.ResultTable;
import servelab.runtime.report.NamedRun;
import servelab.runtime.report.RunInfo;
import servelab.runtime.report.RunMetrics;
import servelab.runtime.report.SwapEvent;
import servelab.runtime.report.runs.RunTables;

/**
 * Run folders loaded together, the starting point of a notebook: select a column across runs by name, get each
 * run's metrics, print the comparison tables. Runs keep the order they were given in (a folder of runs: sorted by
 * name), and each is named by its folder.
 *
 * {@snippet :
 * var runs = Runs.load(Notebook.runsDir().resolve("sweep"));   // every run folder in it
 * System.out.println(runs.summaryTable());
 * Map<String, double[]> ttft = runs.requests("ttft_ms");       // run name -> one value per request (NaN: null)
 * System.out.println(Percentiles.table(ttft, 50, 90, 99));
 * Plot.cdf(runs, "ttft_ms")                                   // a chart, shown as the cell's result
 * }
 */
public final class Runs implements Iterable<NamedRun> {
    private final List<NamedRun> runs;

    private Runs(List<NamedRun> runs) {
        this.runs = List.copyOf(runs);
    }

    /**
     * Loads each path: a run folder, or a folder whose subfolders are runs (all of them, sorted by name).
     *
     * @throws UncheckedIOException wrapping {@link servelab.runtime.report.InvalidResultsException}, which names
     *                              the folder or file that is not a run
     */
    public static Runs load(Path... paths) {
        var dirs = new ArrayList<Path>();
        try {
            for (var path : paths) {
                if (isRun(path) || !Files.isDirectory(path)) {
                    dirs.add(path);
                    continue;
                }
                try (Stream<Path> children = Files.list(path)) {
                    var found = children.filter(Runs::isRun).sorted().toList();
                    dirs.addAll(found.isEmpty() ? List.of(path) : found); // no run inside: let load() say why
                }
            }
            return new Runs(NamedRun.load(dirs));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /** {@link #load(Path...)} with paths as text. */
    public static Runs load(String... paths) {
        return load(Stream.of(paths).map(Path::of).toArray(Path[]::new));
    }

    private static boolean isRun(Path dir) {
        return Files.exists(dir.resolve(ResultTable.REQUESTS.fileName()))
                || Files.exists(dir.resolve(ResultTable.REQUESTS.streamFileName()));
    }

    /** The runs as loaded. */
    public List<NamedRun> list() {
        return runs;
    }

    public List<String> names() {
        return runs.stream().map(NamedRun::name).toList();
    }

    public int size() {
        return runs.size();
    }

    /** The run named {@code name}. */
    public NamedRun get(String name) {
        return runs.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no run named '" + name + "'; runs: " + String.join(", ", names())));
    }

    /** Only the runs with these names, in this order. */
    public Runs only(String... names) {
        var out = new ArrayList<NamedRun>();
        for (var name : names) out.add(get(name));
        return new Runs(out);
    }

    @Override
    public Iterator<NamedRun> iterator() {
        return runs.iterator();
    }

    /** A numeric column of the requests table of every run, by run name; NaN where null. */
    public Map<String, double[]> requests(String column) {
        var out = new LinkedHashMap<String, double[]>();
        for (var run : runs) out.put(run.name(), run.results().requests().doubles(column));
        return out;
    }

    /** A numeric column of the iterations table of every run that has one, by run name. */
    public Map<String, double[]> iterations(String column) {
        var out = new LinkedHashMap<String, double[]>();
        for (var run : runs) {
            run.results().table(ResultTable.ITERATIONS).ifPresent(t -> out.put(run.name(), t.doubles(column)));
        }
        return out;
    }

    /** Plugin swaps of every run, by run name. */
    public Map<String, List<SwapEvent>> swaps() {
        var out = new LinkedHashMap<String, List<SwapEvent>>();
        for (var run : runs) out.put(run.name(), SwapEvent.of(run.results()));
        return out;
    }

    /** Each run's metrics under its own SLO (run.json). */
    public List<RunMetrics> metrics() {
        return runs.stream().map(r -> RunMetrics.of(r.name(), r.results(), RunInfo.slo(r.results()))).toList();
    }

    /** The plugins table of {@code servelab report}, as fixed-width text. */
    public String pluginsTable() {
        var rows = RunTables.plugins(runs, metrics());
        return TextTable.format(rows.header(), rows.rows());
    }

    /** Throughput, goodput and counters, as {@code servelab report} shows them, as fixed-width text. */
    public String summaryTable() {
        var rows = RunTables.throughput(metrics());
        return TextTable.format(rows.header(), rows.rows());
    }

    /** Mean, p50 and p99 of TTFT, TPOT, ITL and E2EL in ms, as fixed-width text. */
    public String latencyTable() {
        var rows = RunTables.latency(metrics());
        return TextTable.format(rows.header(), rows.rows());
    }

    @Override
    public String toString() {
        return "Runs" + names();
    }
}

package servelab.runtime.calibrate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import servelab.datasets.CsvRows;
import servelab.runtime.exec.cost.MeasuredStep;

/**
 * Reads Vidur's published per-operation GPU profiles (the {@code data/profiling/compute/<gpu>/<model>/} folder of
 * microsoft/vidur: {@code mlp.csv} and {@code attention.csv}) into measured steps, so a GPU profile's step times come
 * from measurements rather than datasheets where those files exist.
 *
 * <p>What the files hold (one transformer layer, milliseconds): {@code mlp.csv} has a row per token count
 * ({@code num_tokens}) and tensor-parallel degree ({@code num_tensor_parallel_workers}) with
 * {@code time_stats.<op>.median} for every token-wise operation (projections, norms, rotary embedding, activation,
 * residual add; {@code emb}, the embedding lookup, runs once per step, not per layer); {@code attention.csv} has a row
 * per attention shape ({@code batch_size}, {@code prefill_chunk_size}, {@code kv_cache_size}, {@code is_prefill},
 * {@code num_tensor_parallel_workers}) with {@code time_stats.<op>.median} for the attention kernels. Empty cells are
 * operations a row did not run.
 *
 * <p>How a step is composed, as Vidur's simulator does: every attention row becomes one step, {@code layers x
 * (token-wise operations at the step's token count + attention) + embedding}. A prefill row is {@code batch_size}
 * chunks of {@code prefill_chunk_size} tokens after {@code kv_cache_size} cached ones; a decode row is
 * {@code batch_size} decodes at context {@code kv_cache_size}. The token-wise time at a token count between two
 * {@code mlp.csv} rows is interpolated linearly; attention rows outside the table's token range are skipped and
 * counted. Not included (Vidur keeps them in other files): CPU overheads, all-reduce and pipeline sends.
 */
public final class VidurProfiles {
    static final String MEDIAN = ".median";
    static final String STATS = "time_stats.";

    private VidurProfiles() {}

    /**
     * @param rows    one per usable attention row
     * @param skipped attention rows whose token count lies outside mlp.csv's range (or of another tp degree)
     */
    public record Import(List<MeasuredStep> rows, int skipped) {}

    /** Reads {@code dir/mlp.csv} and {@code dir/attention.csv} for a model of {@code layers} layers at tensor parallelism {@code tp}. */
    public static Import read(Path dir, int layers, int tp) throws IOException {
        var mlp = tokenWise(dir.resolve("mlp.csv"), tp);
        if (mlp.isEmpty()) {
            throw new IOException(dir.resolve("mlp.csv") + ": no row with num_tensor_parallel_workers = " + tp);
        }
        var rows = new ArrayList<MeasuredStep>();
        int skipped = 0;
        var file = dir.resolve("attention.csv");
        try (var csv = CsvRows.open(file)) {
            var h = new Header(file, csv.header());
            int batch = h.column("batch_size"), chunk = h.column("prefill_chunk_size"), kv = h.column("kv_cache_size");
            int prefill = h.column("is_prefill"), workers = h.column("num_tensor_parallel_workers");
            var ops = h.medians();
            while (csv.next()) {
                if (h.integer(csv, workers) != tp) {
                    skipped++;
                    continue;
                }
                int b = h.integer(csv, batch);
                int c = h.integer(csv, kv);
                boolean isPrefill = h.flag(csv, prefill);
                int tokens = isPrefill ? b * h.integer(csv, chunk) : b;
                var perLayer = interpolate(mlp, tokens);
                if (perLayer == null || b < 1 || tokens < 1) {
                    skipped++;
                    continue;
                }
                double ms = layers * (perLayer[0] + h.sum(csv, ops)) + perLayer[1];
                rows.add(step(isPrefill, b, tokens / b, c, ms));
            }
        }
        return new Import(List.copyOf(rows), skipped);
    }

    private static MeasuredStep step(boolean prefill, int batch, int chunk, int cached, double ms) {
        long n = chunk;
        long pairs = batch * (n * cached + n * (n + 1) / 2); // as the engine counts a causal chunk
        return prefill ? new MeasuredStep(batch * chunk, 0, batch, pairs, 0, ms)
                : new MeasuredStep(0, batch, batch, 0, (long) batch * (cached + 1), ms);
    }

    /** Per token count: {per-layer ms of the token-wise operations, once-per-step ms (embedding)}. */
    private static TreeMap<Integer, double[]> tokenWise(Path file, int tp) throws IOException {
        var byTokens = new TreeMap<Integer, double[]>();
        try (var csv = CsvRows.open(file)) {
            var h = new Header(file, csv.header());
            int tokens = h.column("num_tokens"), workers = h.column("num_tensor_parallel_workers");
            var ops = h.medians();
            int emb = csv.header().indexOf(STATS + "emb" + MEDIAN);
            var perLayer = ops.stream().filter(c -> c != emb).toList();
            while (csv.next()) {
                if (h.integer(csv, workers) != tp) continue;
                double once = emb < 0 ? 0 : h.number(csv, emb);
                byTokens.putIfAbsent(h.integer(csv, tokens), new double[] {h.sum(csv, perLayer), once});
            }
        }
        return byTokens;
    }

    /** Linear between the nearest rows; null outside the table. */
    private static double[] interpolate(TreeMap<Integer, double[]> table, int tokens) {
        var lo = table.floorEntry(tokens);
        var hi = table.ceilingEntry(tokens);
        if (lo == null || hi == null) return null;
        if (lo.getKey().equals(hi.getKey())) return lo.getValue();
        double f = (tokens - lo.getKey()) / (double) (hi.getKey() - lo.getKey());
        var a = lo.getValue();
        var b = hi.getValue();
        return new double[] {a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1])};
    }

    /** A file's columns, and fields read with errors that name the file, line and column. */
    private record Header(Path file, List<String> names) {
        int column(String name) throws IOException {
            int c = names.indexOf(name);
            if (c < 0) throw new IOException(file + ": column '" + name + "' is missing from the header (Vidur's layout)");
            return c;
        }

        /** Columns time_stats.OP.median. */
        List<Integer> medians() throws IOException {
            var out = new ArrayList<Integer>();
            for (int c = 0; c < names.size(); c++) {
                if (names.get(c).startsWith(STATS) && names.get(c).endsWith(MEDIAN)) out.add(c);
            }
            if (out.isEmpty()) throw new IOException(file + ": no time_stats.<op>.median column (Vidur's layout)");
            return out;
        }

        String field(CsvRows csv, int c) throws IOException {
            if (c >= csv.size()) {
                throw new IOException(file + " line " + csv.line() + ": has " + csv.size() + " fields, column '"
                        + names.get(c) + "' is number " + (c + 1));
            }
            return csv.field(c);
        }

        double number(CsvRows csv, int c) throws IOException {
            var text = field(csv, c);
            if (text.isEmpty()) return 0; // an operation this row did not run
            try {
                double v = Double.parseDouble(text);
                if (!(v >= 0) || Double.isInfinite(v)) throw new NumberFormatException();
                return v;
            } catch (NumberFormatException e) {
                throw new IOException(file + " line " + csv.line() + " column " + (c + 1) + " (" + names.get(c)
                        + "): must be a number >= 0, was '" + text + "'");
            }
        }

        int integer(CsvRows csv, int c) throws IOException {
            double v = number(csv, c);
            if (v != Math.rint(v) || v > Integer.MAX_VALUE) {
                throw new IOException(file + " line " + csv.line() + " column " + (c + 1) + " (" + names.get(c)
                        + "): must be a whole number, was '" + field(csv, c) + "'");
            }
            return (int) v;
        }

        boolean flag(CsvRows csv, int c) throws IOException {
            var text = field(csv, c);
            return switch (text) {
                case "True", "true", "1" -> true;
                case "False", "false", "0" -> false;
                default -> throw new IOException(file + " line " + csv.line() + " column " + (c + 1) + " ("
                        + names.get(c) + "): must be True or False, was '" + text + "'");
            };
        }

        double sum(CsvRows csv, List<Integer> columns) throws IOException {
            double s = 0;
            for (int c : columns) s += number(csv, c);
            return s;
        }
    }

    /** Writes the import as a profile over {@code base} (a bundled name or path): NAME.yaml and NAME-steps.csv. */
    public static ProfileWriter.Written writeProfile(Import imported, Path dir, String base, int layers, int tp, Path yaml)
            throws IOException {
        var name = yaml.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        var csv = yaml.resolveSibling(name + "-steps.csv");
        if (yaml.toAbsolutePath().getParent() != null) Files.createDirectories(yaml.toAbsolutePath().getParent());
        var source = Map.of("source", dir.toAbsolutePath().toString(), "layers", Integer.toString(layers),
                "tensor_parallel", Integer.toString(tp));
        ProfileWriter.writeCsv(csv, imported.rows(), new java.util.TreeMap<>(source),
                "servelab calibrate --vidur: steps composed from Vidur's mlp.csv and attention.csv");
        var fit = servelab.runtime.exec.cost.TableFit.fit(imported.rows());
        double allowed = Math.max(0.25, Math.ceil(150 * fit.maxRelativeError()) / 100);
        Files.writeString(yaml, "# Step times from Vidur's profiling CSVs; format: servelab/profiles/README.md\n"
                + "base: " + base + "\n"
                + "derivation: |\n  Step times composed from Vidur's per-operation profiles in " + dir.toAbsolutePath()
                + " (mlp.csv, attention.csv), " + layers + " layers, tensor parallelism " + tp + ": layers x (token-wise"
                + " operations + attention) + embedding per step, as Vidur composes them; " + imported.rows().size()
                + " steps, " + imported.skipped() + " attention rows skipped. Fit: " + fit.summary() + ". Model shapes,"
                + " KV capacity and swap come from the base profile (" + base + ").\n"
                + "measured:\n  csv: " + csv.getFileName() + "\n  max_relative_error: "
                + String.format(java.util.Locale.ROOT, "%.2f", allowed) + "\n");
        return new ProfileWriter.Written(yaml, csv);
    }
}

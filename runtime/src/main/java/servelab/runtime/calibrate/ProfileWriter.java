package servelab.runtime.calibrate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import servelab.runtime.exec.cost.CostProfile;
import servelab.runtime.exec.cost.MeasuredStep;

/**
 * Writes a calibration as a profile: {@code NAME.yaml} (model shapes, KV pool and copy speed as measured, a
 * {@code measured:} table) and {@code NAME-steps.csv} beside it (the table, with the provenance as {@code #}
 * comments). The profile format is {@code servelab/profiles/README.md}'s; {@code CostModels.load} reads the result.
 */
public final class ProfileWriter {
    private ProfileWriter() {}

    /** Files written; {@code engineCsv} is null without engine steps. */
    public record Written(Path yaml, Path csv, Path engineCsv) {
        public Written(Path yaml, Path csv) {
            this(yaml, csv, null);
        }
    }

    /** The grid's table alone: no engine overhead. */
    public static Written write(Calibration c, Path yaml) throws IOException {
        return write(c, null, yaml);
    }

    /**
     * With {@code engine} (or null): the overhead fields in {@code measured:} and the engine's steps in
     * {@code NAME-engine-steps.csv} (same columns; for the record, the profile does not read it).
     */
    public static Written write(Calibration c, EngineFit engine, Path yaml) throws IOException {
        var name = yaml.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        var csv = yaml.resolveSibling(name + "-steps.csv");
        if (yaml.toAbsolutePath().getParent() != null) Files.createDirectories(yaml.toAbsolutePath().getParent());
        writeCsv(csv, c.rows(), c.provenance(), "servelab calibrate: one designed step per row, the median of "
                + c.rounds() + " rounds (warm-up round excluded)");
        Path engineCsv = null;
        if (engine != null) {
            engineCsv = yaml.resolveSibling(name + "-engine-steps.csv");
            writeCsv(engineCsv, engine.rows(), c.provenance(), "servelab calibrate: every step of the engine's runs of"
                    + " a calibration workload, with the duration the engine charged it");
        }
        Files.writeString(yaml, yaml(c, engine, csv.getFileName().toString(),
                engineCsv == null ? null : engineCsv.getFileName().toString()));
        return new Written(yaml, csv, engineCsv);
    }

    /** A measured table: provenance comments, the header, one row per step. */
    public static void writeCsv(Path csv, List<MeasuredStep> rows, Map<String, String> provenance, String what)
            throws IOException {
        var out = new StringBuilder("# ").append(what).append('\n');
        provenance.forEach((k, v) -> out.append("# ").append(k).append(": ").append(v).append('\n'));
        out.append("prefill_tokens,decode_tokens,batch_seqs,prefill_attention_pairs,decode_context_tokens,step_ms\n");
        for (var r : rows) {
            out.append(r.prefillTokens()).append(',').append(r.decodeTokens()).append(',').append(r.batchSeqs())
                    .append(',').append(r.prefillAttentionPairs()).append(',').append(r.decodeContextTokens())
                    .append(',').append(exactly(r.stepMs())).append('\n');
        }
        Files.writeString(csv, out);
    }

    /**
     * The shortest decimal that reads back as {@code ms}, without an exponent: the profile refits the table it
     * reloads, so a rounded time would make its fit (and the errors the derivation quotes) another one.
     */
    static String exactly(double ms) {
        return new java.math.BigDecimal(Double.toString(ms)).toPlainString();
    }

    static String yaml(Calibration c, EngineFit engine, String csvName, String engineCsvName) {
        var s = c.shape();
        var model = CostProfile.Model.derived(s.name(), s.layers(), s.hiddenSize(), s.attentionHeads(), s.kvHeads(),
                s.headDim(), s.intermediateSize(), s.vocabSize(), s.tiedEmbeddings(),
                CostProfile.Dtype.parse("model.weight_dtype", s.weightDtype()));
        // the pool exactly: capacity = floor((memory - weights) / block bytes), so add half a block against rounding
        long memory = (long) Math.ceil(model.weightBytes() + (c.poolBlocks() + 0.5) * c.kvBlockBytes());
        double allowed = Math.max(0.25, Math.ceil(150 * c.fullFit().maxRelativeError()) / 100);
        var p = c.provenance();
        var y = new StringBuilder();
        y.append("# Calibrated by `servelab calibrate`; format: servelab/profiles/README.md\n");
        y.append("derivation: |\n");
        line(y, "Measured with servelab calibrate on " + p.get("machine") + " (" + p.get("cpu") + "), " + p.get("threads")
                + " kernel threads, backend " + p.get("backend") + ", JDK " + p.get("jdk") + ", ServeLab "
                + p.get("servelab") + ", " + p.get("date") + ", load average " + p.get("load_average") + " at the end.");
        line(y, "Model: " + c.model() + ".");
        line(y, String.format(Locale.ROOT, "Step time: %d designed steps (%d held out; each step's KV blocks scattered over the pool), median of %d rounds each; "
                        + "median spread (IQR / median) of a step's rounds %.1f%%.", c.rows().size(), c.heldOutRows(),
                c.rounds(), 100 * c.spread()));
        double[] planes = c.heldOutError(false);
        line(y, String.format(Locale.ROOT, "Fit to the other rows predicts the held-out ones with rms %.1f%%, max %.1f%%"
                + " (the planes alone, without the token-count factors: rms %.1f%%, max %.1f%%);"
                + " fit to all rows (this profile's): rms %.1f%%, max %.1f%%.", 100 * c.heldOutRms(), 100 * c.heldOutMax(),
                100 * planes[0], 100 * planes[1], 100 * c.fullFit().rmsRelativeError(), 100 * c.fullFit().maxRelativeError()));
        line(y, String.format(Locale.ROOT, "KV capacity is the model executor's default pool, %d blocks of %d tokens"
                        + " (%d bytes each): device_memory_bytes = weights + pool. A block copy to or from the host tier"
                        + " took %.0f ns (host_link_bytes_per_s, efficiency 1).", c.poolBlocks(), c.blockSize(),
                c.kvBlockBytes(), c.copyNanosPerBlock()));
        if (engine != null) {
            line(y, String.format(Locale.ROOT, "Engine steps: %d steps of a calibration workload served by the engine on"
                            + " the model executor (%s). The median step took %.3f x the table's prediction; the"
                            + " overhead fitted to the typical step, %s (measured.overhead_*), makes it %.3f x. The"
                            + " table alone predicts %.1f%% of their busy time, with the overhead %.1f%%: the rest is"
                            + " the slow tail (collections, other processes), which no term models.",
                    engine.rows().size(), engineCsvName, engine.medianRatio(), engine.overhead().summary(),
                    engine.withOverheadMedianRatio(), 100 * engine.tableShare(), 100 * engine.withOverheadShare()));
        }
        line(y, "peak_flops_per_s and memory_bandwidth_bytes_per_s are placeholders: the measured table, not the"
                + " roofline, prices steps.");
        y.append("model:\n");
        kv(y, "name", s.name());
        kv(y, "layers", s.layers());
        kv(y, "hidden_size", s.hiddenSize());
        kv(y, "attention_heads", s.attentionHeads());
        kv(y, "kv_heads", s.kvHeads());
        kv(y, "head_dim", s.headDim());
        kv(y, "intermediate_size", s.intermediateSize());
        kv(y, "vocab_size", s.vocabSize());
        kv(y, "tied_embeddings", s.tiedEmbeddings());
        kv(y, "weight_dtype", s.weightDtype());
        y.append("hardware:\n");
        kv(y, "name", "cpu-" + p.get("machine").replaceAll("[^A-Za-z0-9_.-]", "-"));
        kv(y, "peak_flops_per_s", "1.0e12");
        kv(y, "memory_bandwidth_bytes_per_s", "1.0e11");
        kv(y, "device_memory_bytes", memory);
        kv(y, "host_link_bytes_per_s", String.format(Locale.ROOT, "%.4e", c.hostLinkBytesPerS()));
        kv(y, "devices", 1);
        y.append("efficiency:\n");
        kv(y, "compute", 1.0);
        kv(y, "bandwidth", 1.0);
        kv(y, "host_link", 1.0);
        kv(y, "step_overhead_us", 0);
        y.append("serving:\n");
        kv(y, "kv_dtype", "f32");
        kv(y, "memory_utilization", 1.0);
        kv(y, "activation_reserve_bytes_per_device", 0);
        // the model's context, as the model executor refuses longer requests: without it a validation simulated
        // requests the real run had refused
        kv(y, "max_model_len", c.shape().contextLength());
        y.append("measured:\n");
        kv(y, "csv", csvName);
        kv(y, "max_relative_error", String.format(Locale.ROOT, "%.2f", allowed));
        if (engine != null) {
            var o = engine.overhead();
            kv(y, "overhead_per_step_us", String.format(Locale.ROOT, "%.3f", o.stepNanos() / 1e3));
            kv(y, "overhead_per_seq_us", String.format(Locale.ROOT, "%.3f", o.perSeqNanos() / 1e3));
            kv(y, "overhead_fraction", String.format(Locale.ROOT, "%.4f", o.fraction()));
        }
        return y.toString();
    }

    private static void line(StringBuilder y, String text) {
        y.append("  ").append(text).append('\n');
    }

    private static void kv(StringBuilder y, String key, Object value) {
        y.append("  ").append(key).append(": ").append(value).append('\n');
    }
}

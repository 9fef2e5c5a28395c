package servelab.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import servelab.kernels.matmul.WeightFormat;
import servelab.kernels.model.RandomLlama;
import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.record.Json;
import servelab.runtime.report.RunResults;

/**
 * n-gram speculation on the real CPU executor at batch 1 ({@code runtime/benchmarks/run ngram [OUT.json]}): a
 * generated 136 M-parameter Q8_0 Llama ({@link RandomLlama.Spec#benchmark}) serves requests one at a time (arrivals
 * far apart) with 256-token prompts that either repeat a 32-token block or are random, and 128 output tokens, with no
 * speculation, {@code ngram} (k = 1, 2, 4 and adaptive), {@code layer-skip} and {@code draft-model} (the target as its
 * own draft), on {@code cpu-vector} or the backend given third ({@code run ngram OUT.json 8 cpu-packed}). Reports per
 * setting the median TPOT over the
 * requests, the decode speedup against no speculation, the acceptance rate and the mean tokens per verification, and
 * checks that the greedy outputs are identical.
 */
public final class SpeculationReal {
    record Setting(String label, List<String> overrides) {}

    static final List<Setting> SETTINGS = List.of(
            new Setting("none", List.of()),
            new Setting("ngram k=1", List.of("plugins.speculator.name=ngram",
                    "plugins.speculator.params.num_speculative_tokens=1")),
            new Setting("ngram k=2", List.of("plugins.speculator.name=ngram",
                    "plugins.speculator.params.num_speculative_tokens=2")),
            new Setting("ngram k=4", List.of("plugins.speculator.name=ngram",
                    "plugins.speculator.params.num_speculative_tokens=4")),
            new Setting("ngram adaptive", List.of("plugins.speculator.name=ngram",
                    "plugins.speculator.params.num_speculative_tokens=4", "plugins.speculator.params.adaptive_k=true")),
            new Setting("layer-skip 6/12 k=3", List.of("plugins.speculator.name=layer-skip",
                    "plugins.speculator.params.layers=6", "plugins.speculator.params.num_speculative_tokens=3")),
            new Setting("layer-skip 9/12 k=3", List.of("plugins.speculator.name=layer-skip",
                    "plugins.speculator.params.layers=9", "plugins.speculator.params.num_speculative_tokens=3")),
            new Setting("draft-model = target k=3", List.of("plugins.speculator.name=draft-model",
                    "plugins.speculator.params.num_speculative_tokens=3", "model.draft_path=MODEL")));

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("servelab.home", "."));
        Path out = args.length > 0 ? Path.of(args[0]) : home.resolve("runtime/benchmarks/results/ngram-real.json");
        int requests = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        String backend = args.length > 2 ? args[2] : "cpu-vector";
        Path plugins = home.resolve("target/plugins");
        var work = Files.createTempDirectory("servelab-ngram-real-");
        Path model = work.resolve("bench-136m-q8_0.gguf");
        RandomLlama.write(model, RandomLlama.Spec.benchmark(WeightFormat.Q8_0), 7);
        var results = new LinkedHashMap<String, Object>();
        var table = new StringBuilder("| prompts | speculator | median TPOT ms | decode speedup | acceptance | tokens per verification | drafted tokens |\n|---|---|---:|---:|---:|---:|---:|\n");
        for (String prompts : List.of("repeated", "random")) {
            var rows = new LinkedHashMap<String, Object>();
            double noneTpot = 0;
            String noneOutputs = null;
            for (var setting : SETTINGS) {
                var overrides = new ArrayList<>(List.of("executor=model", "model.path=" + model, "model.threads=2",
                        "model.backend=" + backend,
                        "model.warmup_s=3", "seed=3", "prompts.kind=" + prompts, "prompts.period=32",
                        "trace.synthetic.count=" + requests, "trace.synthetic.arrivals.process=poisson",
                        "trace.synthetic.arrivals.rate=0.001", "trace.synthetic.input.dist=fixed",
                        "trace.synthetic.input.value=256", "trace.synthetic.output.dist=fixed",
                        "trace.synthetic.output.value=128", "kv.blocks=64"));
                for (var o : setting.overrides()) overrides.add(o.replace("MODEL", model.toString()));
                overrides.add("name=" + prompts + "-" + setting.label().replaceAll("[^a-z0-9]+", "-"));
                System.err.printf("ngram benchmark: %s prompts, %s%n", prompts, setting.label());
                var run = ExperimentRunner.run(ExperimentFile.load(null, overrides),
                        work.resolve(prompts + "-" + rows.size()),
                        new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
                var table0 = RunResults.load(run.runDir()).requests();
                long drafts = sum(table0.longs("spec_drafts")), drafted = sum(table0.longs("spec_draft_tokens")),
                        accepted = sum(table0.longs("spec_accepted_tokens"));
                double tpot = run.summary().tpotMs().median();
                String outputs = Files.readString(run.runDir().resolve("outputs.jsonl")).lines().sorted().toList().toString();
                if (setting.label().equals("none")) {
                    noneTpot = tpot;
                    noneOutputs = outputs;
                }
                var row = new LinkedHashMap<String, Object>();
                row.put("median_tpot_ms", tpot);
                row.put("decode_speedup", noneTpot / tpot);
                row.put("verifications", drafts);
                row.put("draft_tokens", drafted);
                row.put("accepted_tokens", accepted);
                row.put("acceptance_rate", drafted == 0 ? 0.0 : accepted / (double) drafted);
                row.put("tokens_per_verification", drafts == 0 ? 0.0 : (accepted + drafts) / (double) drafts);
                row.put("outputs_equal_to_none", outputs.equals(noneOutputs));
                row.put("median_step_ms_by_decode_tokens", stepMsByTokens(RunResults.load(run.runDir())));
                rows.put(setting.label(), row);
                table.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2fx | %.1f%% | %.2f | %,d |%n", prompts,
                        setting.label(), tpot, noneTpot / tpot, 100 * (double) row.get("acceptance_rate"),
                        (double) row.get("tokens_per_verification"), drafted));
            }
            results.put(prompts, rows);
        }
        var json = new LinkedHashMap<String, Object>();
        json.put("command", "runtime/benchmarks/run ngram");
        json.put("backend", backend);
        json.put("model", "RandomLlama.Spec.benchmark(Q8_0): 136 M parameters, random weights, seed 7");
        json.put("workload", Map.of("requests", requests, "batch", 1, "prompt_tokens", 256, "output_tokens", 128,
                "repeated_period", 32, "threads", 2));
        json.put("cpus", Runtime.getRuntime().availableProcessors());
        json.put("results", results);
        Files.createDirectories(out.getParent());
        Json.write(out, json);
        System.out.print(table);
        System.err.println("wrote " + out);
    }

    /** Median duration of steps without prefill, by tokens computed (1 = a plain decode, k + 1 = a verification). */
    private static Map<Integer, Double> stepMsByTokens(RunResults results) {
        var it = results.table(servelab.runtime.record.ResultTable.ITERATIONS).orElseThrow();
        long[] prefill = it.longs("prefill_tokens"), decode = it.longs("decode_tokens");
        double[] ms = it.doubles("duration_ms");
        var byTokens = new java.util.TreeMap<Integer, List<Double>>();
        for (int i = 0; i < ms.length; i++) {
            if (prefill[i] == 0) byTokens.computeIfAbsent((int) decode[i], k -> new ArrayList<>()).add(ms[i]);
        }
        var medians = new java.util.TreeMap<Integer, Double>();
        byTokens.forEach((tokens, list) -> {
            list.sort(null);
            medians.put(tokens, list.get(list.size() / 2));
        });
        return medians;
    }

    private static long sum(long[] values) {
        long s = 0;
        for (long v : values) s += v;
        return s;
    }
}

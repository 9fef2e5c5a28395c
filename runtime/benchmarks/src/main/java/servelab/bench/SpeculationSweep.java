package servelab.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import servelab.runtime.experiment.ExperimentFile;
import servelab.runtime.experiment.ExperimentRunner;
import servelab.runtime.record.Json;

/**
 * Speculative decoding against load, in simulation ({@code runtime/benchmarks/run speculation [OUT.md] [OUT.json]}):
 * the Azure 2023 conversation slice replayed at rising request rates on Llama-3-8B / H100 with no speculation, an
 * n-gram-like proposer (free drafts, modest acceptance) and a draft model (better acceptance, drafting costs), all as
 * the {@code modeled} speculator with the simulated executor's acceptance model. Reports request throughput, mean
 * TPOT and TTFT per rate and the lowest rate at which each speculator's mean TPOT is no longer below no speculation's
 * (the crossover vLLM reports: speculation helps at low load and hurts near saturation).
 */
public final class SpeculationSweep {
    /** A speculator setting: label, the experiment overrides that select it, and how it is described. */
    record Setting(String label, List<String> overrides, String description) {}

    static final List<Setting> SETTINGS = List.of(
            new Setting("none", List.of(), "no speculation"),
            new Setting("ngram (modeled)", List.of("plugins.speculator.name=modeled",
                    "plugins.speculator.params.num_speculative_tokens=3", "speculation.acceptance=[0.5]",
                    "speculation.draft_cost=0"),
                    "k = 3, acceptance 0.5 per position, drafting free (prompt lookup costs microseconds of CPU)"),
            new Setting("draft-model (modeled)", List.of("plugins.speculator.name=modeled",
                    "plugins.speculator.params.num_speculative_tokens=4", "speculation.acceptance=[0.8,0.75,0.7,0.65]",
                    "speculation.draft_cost=0.12"),
                    "k = 4, acceptance 0.8/0.75/0.7/0.65 by position, each draft token 0.12 of a target decode step "
                            + "(a 1B draft for an 8B target)"));

    static final double[] RATES = {1, 2, 4, 8, 12, 14, 16, 18, 20, 24, 28};

    public static void main(String[] args) throws Exception {
        Path home = Path.of(System.getProperty("servelab.home", "."));
        Path outMd = args.length > 0 ? Path.of(args[0]) : home.resolve("plugins/speculative/RESULTS.md");
        Path outJson = args.length > 1 ? Path.of(args[1]) : home.resolve("runtime/benchmarks/results/speculation-sweep.json");
        Path plugins = home.resolve("target/plugins");
        Path azure = BenchEngine.sharedTrace("azure_llm_2023/AzureLLMInferenceTrace_conv.before_1845.csv");
        var work = Files.createTempDirectory("servelab-speculation-sweep-");
        var results = new LinkedHashMap<String, List<Map<String, Object>>>();
        for (var setting : SETTINGS) {
            var rows = new ArrayList<Map<String, Object>>();
            for (double rate : RATES) {
                var overrides = new ArrayList<>(List.of("trace.file=" + azure, "trace.transforms.first=1500",
                        "trace.transforms.target_rate=" + rate, "profile=llama-3-8b/h100-80gb", "seed=1"));
                overrides.addAll(setting.overrides());
                String name = setting.label().replaceAll("[^A-Za-z0-9]+", "-") + "-" + rate;
                overrides.add("name=" + name.replaceAll("-+$", ""));
                var experiment = ExperimentFile.load(null, overrides);
                System.err.printf("speculation sweep: %s at %.0f req/s%n", setting.label(), rate);
                var r = ExperimentRunner.run(experiment, work.resolve(name),
                        new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
                var s = r.summary();
                var row = new LinkedHashMap<String, Object>();
                row.put("rate_rps", rate);
                row.put("request_throughput", s.requestThroughput());
                row.put("output_throughput", s.outputThroughput());
                row.put("mean_tpot_ms", s.tpotMs().mean());
                row.put("mean_ttft_ms", s.ttftMs().mean());
                row.put("p99_e2el_ms", s.e2elMs().p99());
                rows.add(row);
            }
            results.put(setting.label(), rows);
        }
        var json = new LinkedHashMap<String, Object>();
        json.put("command", "runtime/benchmarks/run speculation");
        json.put("trace", "azure_llm_2023/AzureLLMInferenceTrace_conv.before_1845.csv, first 1500 requests, rescaled to each rate");
        json.put("profile", "llama-3-8b/h100-80gb");
        json.put("settings", SETTINGS.stream().map(s -> Map.of("label", s.label(), "overrides", s.overrides())).toList());
        json.put("results", results);
        Files.createDirectories(outJson.getParent());
        Json.write(outJson, json);
        Files.writeString(outMd, markdown(results));
        System.err.println("wrote " + outMd + " and " + outJson);
    }

    /** The lowest rate at which {@code spec}'s mean TPOT is at least {@code none}'s, or -1. */
    static double crossover(List<Map<String, Object>> none, List<Map<String, Object>> spec) {
        for (int i = 0; i < none.size(); i++) {
            if ((double) spec.get(i).get("mean_tpot_ms") >= (double) none.get(i).get("mean_tpot_ms")) {
                return (double) none.get(i).get("rate_rps");
            }
        }
        return -1;
    }

    private static String markdown(Map<String, List<Map<String, Object>>> results) {
        var md = new StringBuilder();
        md.append("# Speculative decoding against load (simulation)\n\nGenerated by `runtime/benchmarks/run speculation` (")
                .append(SpeculationSweep.class.getName()).append(") on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores, Java ").append(Runtime.version()).append(". Do not edit by hand: rerun the command.\n\n")
                .append("Azure LLM inference 2023, conversation slice (first 1,500 requests, arrivals rescaled to each rate), ")
                .append("Llama-3-8B on one H100 (roofline profile `llama-3-8b/h100-80gb`), fcfs + continuous + paged. ")
                .append("Speculators are the `modeled` speculator with the simulated executor's acceptance model:\n\n");
        for (var s : SETTINGS) md.append("- **").append(s.label()).append("**: ").append(s.description()).append('\n');
        md.append("\n| rate (req/s) |");
        for (var label : results.keySet()) md.append(' ').append(label).append(": req/s | TPOT ms | TTFT ms |");
        md.append("\n|---:|");
        for (int i = 0; i < results.size(); i++) md.append("---:|---:|---:|");
        md.append('\n');
        var none = results.get("none");
        for (int i = 0; i < RATES.length; i++) {
            md.append(String.format(Locale.ROOT, "| %.0f |", RATES[i]));
            for (var rows : results.values()) {
                var row = rows.get(i);
                md.append(String.format(Locale.ROOT, " %.2f | %.2f | %.0f |", (double) row.get("request_throughput"),
                        (double) row.get("mean_tpot_ms"), (double) row.get("mean_ttft_ms")));
            }
            md.append('\n');
        }
        md.append("\nCrossover (lowest rate where mean TPOT with speculation is no longer below none's):\n\n");
        for (var entry : results.entrySet()) {
            if (entry.getKey().equals("none")) continue;
            double x = crossover(none, entry.getValue());
            md.append("- ").append(entry.getKey()).append(": ")
                    .append(x < 0 ? "none up to " + RATES[RATES.length - 1] + " req/s" : String.format(Locale.ROOT, "%.0f req/s", x))
                    .append('\n');
        }
        return md.toString();
    }
}

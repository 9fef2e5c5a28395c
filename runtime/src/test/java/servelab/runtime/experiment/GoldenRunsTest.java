package servelab.runtime.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import servelab.runtime.host.TestBundles;

/**
 * Golden results: simulated runs whose Arrow tables must stay byte-identical across refactorings that change no
 * behaviour. The hashes were computed on the commit before the engine-anatomy refactoring (issue 12) split
 * {@code Replica}; a change of behaviour must update them on purpose and say why in its commit. The requests.arrow
 * hashes were updated once when the cluster columns (router_arrival_ns ... degraded_reason) were added at the end of the
 * table, once more when the gateway's columns (outcome, attempts, hedges, wasted_tokens) were, and again for
 * ended_ns: each time {@link GoldenColumnsTest} showed every earlier column value-identical to the pre-change files
 * (the second time against runs of commit d2ea26b, the third of 25a9383), while the iterations and events hashes
 * stayed as they were.
 * Two deliberate changes of behaviour came together later, when the profiles got vLLM's max_model_len (8,192 for
 * Llama 3): requests over it are refused, as vLLM refuses them (Azure slice: 1 of 9,754; Mooncake: 5,570 of
 * 12,031), and so that the default synthetic workload fits that context its prompts are at most 6,144 tokens (was
 * 8,192; 3 of the demo's 1,500 requests were over), which changed the demo and two-replica runs (only the longest
 * prompts differ). Before the gateway columns were added, with the old default and a profile lifting the limit,
 * all eight runs gave the hashes of that time again.
 * On 2026-12-07 the requests hashes changed again, and only they: the {@code degraded} column's schema became
 * not-nullable (as RESULTS-SCHEMA says), and the two-replica run's three requests too large for its KV pool have a
 * new message (the tokens they must store, prompt and all output but the last). With the old nullability and message all
 * eight matched the earlier hashes.
 * On 2026-12-08 the Mooncake and two-replica requests hashes changed, only in the order of their rows: a step's
 * answers now reach the gateway when the step ends, not when it starts, so a request refused at its arrival during
 * a step is written before them. Sorted by request id, every column of both tables equals the earlier runs'.
 *
 * <p>To print the current hashes (for a deliberate update), run with {@code -Dservelab.golden.print=true}.
 */
class GoldenRunsTest {
    private static final Path SHARED = Path.of(System.getProperty("servelab.sharedDir", "../../shared"));
    private static final List<String> TABLES = List.of("requests.arrow", "iterations.arrow", "events.arrow");

    record Golden(String name, List<String> overrides, boolean needsShared, Map<String, String> sha256) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Golden> goldens() {
        var azure = SHARED.resolve("traces/azure_llm_2023/AzureLLMInferenceTrace_conv.before_1845.csv");
        var mooncake = SHARED.resolve("traces/mooncake_fast25/conversation_trace.jsonl");
        var goldens = new ArrayList<Golden>();
        // the simulated demo's workload and policies, frozen here (DemoCommand may change; these hashes may not)
        var demo = List.of("name=demo", "seed=42", "profile=llama-3-8b/h100-80gb", "kv.blocks=2000",
                "trace.synthetic.count=1500", "trace.synthetic.arrivals.process=gamma",
                "trace.synthetic.arrivals.rate=20", "trace.synthetic.arrivals.cv=2", "slo.ttft_ms=1000", "slo.tpot_ms=60");
        var policies = new LinkedHashMap<String, List<String>>();
        policies.put("fcfs+continuous", List.of());
        policies.put("sjf+continuous", List.of("plugins.scheduler.name=sjf"));
        policies.put("fcfs+no-chunking", List.of("plugins.batcher.name=continuous",
                "plugins.batcher.params.chunked_prefill=false"));
        for (var policy : policies.entrySet()) {
            var overrides = new ArrayList<>(demo);
            overrides.addAll(policy.getValue());
            goldens.add(new Golden("demo " + policy.getKey(), overrides, false, hashes("demo " + policy.getKey())));
        }
        goldens.add(new Golden("azure conv slice", List.of("name=azure", "seed=42", "trace.file=" + azure), true,
                hashes("azure conv slice")));
        goldens.add(new Golden("mooncake hash-block lru", List.of("name=mooncake", "seed=42", "trace.file=" + mooncake,
                "plugins.prefix-cache.name=hash-block", "plugins.eviction.name=lru"), true,
                hashes("mooncake hash-block lru")));
        goldens.add(new Golden("speculation modeled", List.of("name=spec", "seed=7", "kv.blocks=800",
                "trace.synthetic.count=300", "trace.synthetic.arrivals.rate=8", "plugins.speculator.name=modeled",
                "plugins.speculator.params.num_speculative_tokens=4", "speculation.acceptance=[0.8, 0.6, 0.4]"), false,
                hashes("speculation modeled")));
        goldens.add(new Golden("host tier offload", List.of("name=offload", "seed=7", "profile=llama-3-8b/h100-80gb",
                "kv.blocks=400", "trace.synthetic.count=200", "trace.synthetic.arrivals.rate=20",
                "trace.transforms.shared_prefix.prompts=16", "trace.transforms.shared_prefix.tokens=1024",
                "trace.transforms.shared_prefix.share=0.9", "plugins.prefix-cache.name=hash-block",
                "kv.host_blocks=4000", "kv.offload=true"), false, hashes("host tier offload")));
        goldens.add(new Golden("two replicas preempting", List.of("name=two", "seed=11", "replicas=2", "kv.blocks=300",
                "trace.synthetic.count=400", "trace.synthetic.arrivals.rate=40", "plugins.scheduler.name=sjf",
                "plugins.prefix-cache.name=radix", "plugins.eviction.name=lfu"), false,
                hashes("two replicas preempting")));
        return goldens;
    }

    /** SHA-256 of requests, iterations and events, in that order, per golden run. */
    private static final Map<String, List<String>> HASHES = Map.ofEntries(
            Map.entry("demo fcfs+continuous", List.of("6e8ecaabc9d655156039ce32ac10c4a1f33903253435a5a01338a8e874d15d17",
                    "209d8b49134160c7c22b75f8c87e2017fe1fa539eadab3fd14584ea7f61e1b5c",
                    "ddd8605781a233c2d9d418ae4c2ec772d18238cb25e2e5cdbc60ab123363416e")),
            Map.entry("demo sjf+continuous", List.of("94c84b51aa5a98d05f3b82110f2d8640ece7a4db1f76cf6a3829e7614219dc1f",
                    "e54d590356c62bf2b8527ab18cc3340ae1fc6bbe2e07f44f70f3d7b21901192b",
                    "96b0b7ebdaa93060b504c3c056cefb70b80d4164a7d012ee55971d489083e1cd")),
            Map.entry("demo fcfs+no-chunking", List.of("170445512559e2bac560895253333eb86704784232aa576ebaeb03b009bea75f",
                    "a8a9aa385beac93e75f5833790f4408b1a184dc2665a6874c3af82ed5017d3b8",
                    "9c6dc5644c35f19049a00ae9d4770099a35922d4b6a87a29ad061ee77b5969a8")),
            Map.entry("azure conv slice", List.of("d389e12fd02cfa5d6bbcb91b40e79250051de9c5023ea9f95e2b05b9b81afffb",
                    "ede5cc2362b65336e968f0a2ba24fe494994ce38cb93db42eaea65d81ee78877",
                    "25a8e4226b3f8de9dcfb9244b9dc63299ff688ef3e2df0040f0be06585d92d1b")),
            Map.entry("mooncake hash-block lru", List.of("6b3bc2f10b5d160caf67a4f8c7d1155264d5e16847c7f5d3f594f449be1e206e",
                    "ebae41e5e97cb03d4ca50d6fd079d8849a64a0186d8a18d4569db78b60ef1216",
                    "25a8e4226b3f8de9dcfb9244b9dc63299ff688ef3e2df0040f0be06585d92d1b")),
            Map.entry("speculation modeled", List.of("8190967d473297fda1a161a6fb01bb5604dfec9f7ca8ab78c9c82e39f29b8aaa",
                    "6615377d500503c1c89f99dbfea23f570f9560c4924473e3dadd04df982cbce5",
                    "567e9c1248990cd5bc9399fe86e754d3a5917805443e709bada8143ac9d5becb")),
            Map.entry("host tier offload", List.of("93bec75eb6b33f07a5cf3116dea961ce243ee6ef911250195030f4a25c2a8398",
                    "4292858c711e91892c471a90693c541c4d3fdf5b325470f393f86e2719be7ffe",
                    "a8c1a794b23503c8b0fc0e4b349e8581173aca397754b0d9a5646772f132a627")),
            Map.entry("two replicas preempting", List.of("f99f10e4c0683ea2c0739b8e3bf40f78dbd52eae0c9c63bcf9959d05d879d37d",
                    "4d9f90b17f9352f1f07bdf9e8ac3f9d35ef7b99399f9cf4b6bd85e4da7dccef6",
                    "917425b9ccb7b16965d965ab5cf148d55d32d5b6f99d8ccfa5eacf34a91825db")));

    private static Map<String, String> hashes(String name) {
        var values = HASHES.getOrDefault(name, List.of("?", "?", "?"));
        var map = new LinkedHashMap<String, String>();
        for (int i = 0; i < TABLES.size(); i++) map.put(TABLES.get(i), values.get(i));
        return map;
    }

    @TempDir Path work;

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void resultsAreByteIdenticalToThePreRefactoringEngine(Golden golden) throws Exception {
        if (golden.needsShared()) assumeTrue(Files.isDirectory(SHARED.resolve("traces")), "shared traces not present");
        var plugins = TestBundles.defaultPlugins(work.resolve("plugins"));
        var experiment = ExperimentFile.load(null, golden.overrides());
        var result = ExperimentRunner.run(experiment, work.resolve("run"),
                new ExperimentRunner.Options(plugins, (t, k, f, to, d) -> {}, null, null));
        var actual = new LinkedHashMap<String, String>();
        for (var table : TABLES) actual.put(table, sha256(result.runDir().resolve(table)));
        if (Boolean.getBoolean("servelab.golden.print")) System.out.println("GOLDEN " + golden.name() + " " + actual);
        assertEquals(golden.sha256(), actual, golden.name() + ": results changed");
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}

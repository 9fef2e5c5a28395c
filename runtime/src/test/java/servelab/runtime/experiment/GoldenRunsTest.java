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
 * table, and once more when the gateway's columns (outcome, attempts, hedges, wasted_tokens) were: each time
 * {@link GoldenColumnsTest} showed every earlier column value-identical to the pre-change files (the second time
 * against runs of commit d2ea26b), while the iterations and events hashes stayed as they were.
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
            Map.entry("demo fcfs+continuous", List.of("e21f81a7a2e11ba56b62de47e9b220479fd86daac05175bce7203cab4777416d",
                    "75588fdcef18c53c34b3e94bd00faeb06da6235af5e733a548f29f515f101197",
                    "74591f90b74de71b24718664289e07bf39ae78c51f3cfab7c106549fc2c9accf")),
            Map.entry("demo sjf+continuous", List.of("10ac563261209d75c06714ad03d02ae3c7672e3469617d8de448986463ed7929",
                    "3b50a47a5a3326bab9b86ebe3f12542863f3ed83dee5bfaf2e4e912453167af6",
                    "a4c94c7662f07d0df376629a3ed805f05d7843202f530b8db4d955728815c980")),
            Map.entry("demo fcfs+no-chunking", List.of("1d068f61bf41e6f3238cae33b8b23ae6a5e89d453d574e0d92a5377cff37d455",
                    "a14668704c9ec73418e0ca91acfb36938717610a80c37fc0e9045b2c1895a5d0",
                    "183d08fc94f2e542ca4e094132c9de83db328b2e44741d6a277d63767a9e9157")),
            Map.entry("azure conv slice", List.of("f319700a8ae16c07e5bdda698198f624d23d68169a3d61ed74ee7ee8eac9acde",
                    "b73d7ee093639f9e444e6941b7bdfb853b8513541eac494dd8e7ee4782f0b24c",
                    "25a8e4226b3f8de9dcfb9244b9dc63299ff688ef3e2df0040f0be06585d92d1b")),
            Map.entry("mooncake hash-block lru", List.of("cbca2adbb86bd44e45af56795eddaca67e6b5a593c0ddcd04c2eefeeaf6cb092",
                    "340df2f1cbd6005dc3e697ab0cb92b8b66e71f4c64c52c294c85427c4337b16f",
                    "8b6ec8cabf8742831f2b7c33f34c023cf59c0d736c859b2a96d554ee60f696af")),
            Map.entry("speculation modeled", List.of("effdc51b7fec9a15b331c8dc74623461689f9b5e31dbc3203e335c37e1477761",
                    "6615377d500503c1c89f99dbfea23f570f9560c4924473e3dadd04df982cbce5",
                    "567e9c1248990cd5bc9399fe86e754d3a5917805443e709bada8143ac9d5becb")),
            Map.entry("host tier offload", List.of("dc3f36d65be7c802fa95effb3c929e1ea1b14fbdcb321699a1bd4aaef87c6a2b",
                    "4292858c711e91892c471a90693c541c4d3fdf5b325470f393f86e2719be7ffe",
                    "a8c1a794b23503c8b0fc0e4b349e8581173aca397754b0d9a5646772f132a627")),
            Map.entry("two replicas preempting", List.of("2c13f7bbb9ed05a98f2e47fff03af6014bedeedce1ea663ed1861dcc76b0dbed",
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

package servelab.bench.routing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import servelab.api.Params;
import servelab.api.PluginFactory;
import servelab.api.route.BlockHashes;
import servelab.api.route.PrefixKnowledge;
import servelab.api.route.ReplicaView;
import servelab.api.route.RequestView;
import servelab.api.route.Router;
import servelab.plugins.routing.cacheaware.CacheAwareRouter;
import servelab.plugins.routing.consistenthash.ConsistentHashRouter;
import servelab.plugins.routing.kvcost.KvCostRouter;
import servelab.plugins.routing.leastrequests.LeastRequestsRouter;
import servelab.plugins.routing.leasttokens.LeastTokensRouter;
import servelab.plugins.routing.powerofd.PowerOfDRouter;
import servelab.plugins.routing.prefixaware.PrefixAwareRouter;
import servelab.plugins.routing.random.RandomRouter;
import servelab.plugins.routing.weightedscorer.WeightedScorerRouter;

/**
 * The cost of one routing decision, {@code route(request, views)}, for 8, 64 and 512 replicas, each caching 100,000
 * blocks. The cached blocks are 3,125 chains of 32 blocks per replica, drawn from 20,000 chains (so a chain is on
 * about n / 6.4 replicas); a request is 32 blocks of 16 tokens whose first 24 are a random chain's (its other 8 are
 * new), so prefix routers find real overlaps. Loads are seeded: 0-31 waiting and 0-63 running requests per replica.
 * Views answer {@code cachedPrefixBlocks} from a per-replica hash set ({@code index = per-replica}: one probe per
 * matched block plus one, per replica) or from one shared index walked once per request ({@code shared}). 1,024
 * requests are routed in turn. Goals (issue 13): round-robin and power-of-d under 1 us; prefix-aware and
 * weighted-scorer under 10 us at 64 replicas. cache-aware runs with {@code prefix_source: precise} (its estimated
 * default would start with empty trees).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xmx3g"})
public class RouterBenchmark {
    static final int BLOCKS_PER_REPLICA = 100_000;
    static final int CHAIN = 32;
    static final int CHAINS = 20_000;
    static final int SHARED_BLOCKS = 24;
    static final int REQUESTS = 1024;

    @Param({"round-robin", "random", "least-requests", "least-tokens", "power-of-d", "prefix-aware", "weighted-scorer",
            "cache-aware", "kv-cost", "consistent-hash"})
    public String router;

    @Param({"8", "64", "512"})
    public int replicas;

    @Param({"per-replica", "shared"})
    public String index;

    private Router policy;
    private List<ReplicaView> views;
    private RequestView[] requests;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        var random = new SplittableRandom(42);
        CachedBlocks cached = index.equals("shared") ? new CachedBlocks.Shared(replicas, CHAINS * CHAIN)
                : new CachedBlocks.PerReplica(replicas, BLOCKS_PER_REPLICA);
        var list = new ArrayList<ReplicaView>();
        for (int r = 0; r < replicas; r++) {
            for (int c = 0; c < BLOCKS_PER_REPLICA / CHAIN; c++) {
                int chain = random.nextInt(CHAINS);
                for (int b = 0; b < CHAIN; b++) cached.add(r, blockHash(chain, b));
            }
            int waiting = random.nextInt(32);
            int running = random.nextInt(64);
            list.add(new BenchView(r, waiting, running, waiting * 800L, running * 1200L,
                    10_000 - random.nextInt(10_000), 10_000, BLOCKS_PER_REPLICA, cached));
        }
        views = List.copyOf(list);
        requests = new RequestView[REQUESTS];
        for (int k = 0; k < REQUESTS; k++) requests[k] = request(k, random);
        policy = create(router);
    }

    @Benchmark
    public int route() {
        var request = requests[next];
        next = (next + 1) & (REQUESTS - 1);
        return policy.route(request, views);
    }

    /**
     * Hash of block {@code b} of chain {@code chain}: distinct for every (chain, block), never 0 (a non-zero input
     * times an odd constant, then an xorshift, are both bijections that keep it non-zero).
     */
    static long blockHash(int chain, int b) {
        long h = (((long) chain << 8 | b) + 1) * 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 31);
    }

    private static RequestView request(int k, SplittableRandom random) {
        int chain = random.nextInt(CHAINS);
        long[] hashes = new long[CHAIN];
        for (int b = 0; b < CHAIN; b++) hashes[b] = b < SHARED_BLOCKS ? blockHash(chain, b) : ~blockHash(k, b);
        return new BenchRequest(k, CHAIN * 16, 128, "session-" + (k % 257), BlockHashes.of(16, hashes));
    }

    static Router create(String name) {
        return switch (name) {
            case "round-robin" -> builtInRoundRobin();
            case "random" -> create(new RandomRouter(), Map.of());
            case "least-requests" -> create(new LeastRequestsRouter(), Map.of());
            case "least-tokens" -> create(new LeastTokensRouter(), Map.of());
            case "power-of-d" -> create(new PowerOfDRouter(), Map.of());
            case "prefix-aware" -> create(new PrefixAwareRouter(), Map.of());
            case "weighted-scorer" -> create(new WeightedScorerRouter(), Map.of());
            case "cache-aware" -> create(new CacheAwareRouter(), Map.of("prefix_source", "precise"));
            case "kv-cost" -> create(new KvCostRouter(), Map.of());
            case "consistent-hash" -> create(new ConsistentHashRouter(), Map.of());
            default -> throw new IllegalArgumentException("unknown router " + name);
        };
    }

    private static Router create(PluginFactory<Router> factory, Map<String, ?> raw) {
        var d = factory.descriptor();
        return factory.create(Params.validate(d.label(), d.params(), raw));
    }

    /** The runtime's own round-robin (package-private in the host, or in the builtin package after the move). */
    @SuppressWarnings("unchecked")
    private static Router builtInRoundRobin() {
        for (var name : List.of("servelab.runtime.builtin.BuiltInPlugins$RoundRobin",
                "servelab.runtime.host.BuiltInPlugins$RoundRobin")) {
            try {
                var constructor = Class.forName(name).getDeclaredConstructor();
                constructor.setAccessible(true);
                return create((PluginFactory<Router>) constructor.newInstance(), Map.of());
            } catch (ClassNotFoundException e) {
                continue;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create the built-in round-robin " + name, e);
            }
        }
        throw new IllegalStateException("no built-in round-robin router found in the runtime");
    }

    record BenchRequest(long id, int promptTokens, int maxOutputTokens, String sessionKey, BlockHashes promptBlocks)
            implements RequestView {
        @Override public long arrivalNanos() { return 0; }
        @Override public int priority() { return 0; }
        @Override public String tenant() { return "default"; }
    }

    /** A replica's view with fixed load and a prefix cache answered by {@code cached}. */
    record BenchView(int index, int waitingRequests, int runningRequests, long waitingTokens, long runningTokens,
                     int freeBlocks, int totalBlocks, int prefixCacheBlocks, CachedBlocks cached) implements ReplicaView {
        @Override public int queuedRequests() { return waitingRequests + runningRequests; }
        @Override public String name() { return NAMES[index]; }
        @Override public PrefixKnowledge prefixKnowledge() { return PrefixKnowledge.EXACT; }
        @Override public int cachedPrefixBlocks(BlockHashes blocks) { return cached.leading(index, blocks); }
    }

    private static final String[] NAMES = new String[4096];

    static {
        for (int i = 0; i < NAMES.length; i++) NAMES[i] = "r" + i;
    }
}

package servelab.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
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

import servelab.api.Clock;
import servelab.api.PluginFactory;
import servelab.api.Params;
import servelab.api.sched.Ordering;
import servelab.api.sched.Scheduler;
import servelab.api.sched.SchedulingContext;
import servelab.api.sched.SeqView;
import servelab.schedulers.dfsweight.DfsWeightScheduler;
import servelab.schedulers.edf.EarliestDeadlineFirstScheduler;
import servelab.schedulers.fcfs.FcfsScheduler;
import servelab.schedulers.ljf.LongestJobFirstScheduler;
import servelab.schedulers.lpm.LongestPrefixMatchScheduler;
import servelab.schedulers.priority.PriorityScheduler;
import servelab.schedulers.random.RandomScheduler;
import servelab.schedulers.sjf.ShortestJobFirstScheduler;
import servelab.schedulers.srpt.ShortestRemainingTimeScheduler;
import servelab.schedulers.vtc.VirtualTokenCounterScheduler;

/**
 * The cost of one scheduling decision: {@code order(ctx)} on 64 running and {@code waiting} waiting requests with
 * seeded lengths, 8 tenants, 4 priorities and cached-prefix lengths (so LPM and dfs-weight have work), for every
 * scheduler with its default parameters. {@code lpm-sorting} is LPM with its FCFS fallback off, to show the sort
 * the fallback avoids. The same context is ordered again and again, so a stateful scheduler (vtc) runs in its
 * steady state. Goal (issue 4): under 50 us at 1,000 waiting, and no worse than O(n log n).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseParallelGC", "-Xmx1g"})
public class SchedulerBenchmark {
    private static final int RUNNING = 64;

    @Param({"fcfs", "priority", "sjf", "ljf", "srpt", "edf", "vtc", "lpm", "lpm-sorting", "dfs-weight", "random"})
    public String scheduler;

    @Param({"100", "1000", "10000"})
    public int waiting;

    private Scheduler policy;
    private Queues ctx;

    @Setup(Level.Trial)
    public void setUp() {
        policy = switch (scheduler) {
            case "fcfs" -> create(new FcfsScheduler(), Map.of());
            case "priority" -> create(new PriorityScheduler(), Map.of());
            case "sjf" -> create(new ShortestJobFirstScheduler(), Map.of());
            case "ljf" -> create(new LongestJobFirstScheduler(), Map.of());
            case "srpt" -> create(new ShortestRemainingTimeScheduler(), Map.of());
            case "edf" -> create(new EarliestDeadlineFirstScheduler(), Map.of("late", "last"));
            case "vtc" -> create(new VirtualTokenCounterScheduler(), Map.of());
            case "lpm" -> create(new LongestPrefixMatchScheduler(), Map.of());
            case "lpm-sorting" -> create(new LongestPrefixMatchScheduler(), Map.of("fallback_queue_size", Integer.MAX_VALUE));
            case "dfs-weight" -> create(new DfsWeightScheduler(), Map.of());
            case "random" -> create(new RandomScheduler(), Map.of());
            default -> throw new IllegalArgumentException("unknown scheduler " + scheduler);
        };
        ctx = Queues.random(RUNNING, waiting, 42);
        policy.order(ctx); // a stateful scheduler has seen these requests once: measure its steady state
    }

    @Benchmark
    public Ordering order() {
        return policy.order(ctx);
    }

    private static Scheduler create(PluginFactory<Scheduler> factory, Map<String, Object> params) {
        var d = factory.descriptor();
        return factory.create(Params.validate(d.label(), d.params(), params));
    }

    /** A request as a scheduler sees it. */
    record Seq(long id, int promptTokens, int outputTokens, int computedTokens, int maxOutputTokens, long arrivalNanos,
               int priority, String tenant, int cachedPrefixTokens) implements SeqView {
        @Override public int preemptions() { return 0; }
        @Override public OptionalInt predictedOutputTokens() { return OptionalInt.empty(); }
        @Override public boolean isSwapped() { return false; }
    }

    /** Queues as the engine keeps them: running by first schedule, waiting by arrival. */
    record Queues(List<SeqView> running, List<SeqView> waiting, int[] cached, long nowNanos) implements SchedulingContext {
        static Queues random(int running, int waiting, long seed) {
            var random = new SplittableRandom(seed);
            var tenants = new String[8];
            for (int i = 0; i < tenants.length; i++) tenants[i] = "tenant-" + i;
            int n = running + waiting;
            var cached = new int[n];
            var all = new ArrayList<SeqView>(n);
            for (int i = 0; i < n; i++) {
                int prompt = 16 + random.nextInt(4000);
                int output = 1 + random.nextInt(1000);
                boolean isRunning = i < running;
                int produced = isRunning ? 1 + random.nextInt(output) : 0;
                cached[i] = isRunning ? 0 : 16 * random.nextInt(prompt / 16 + 1); // block-aligned prefix hits
                all.add(new Seq(i, prompt, produced, isRunning ? prompt + produced - 1 : 0, output, i * 10_000_000L,
                        random.nextInt(4), tenants[random.nextInt(tenants.length)], 0));
            }
            return new Queues(List.copyOf(all.subList(0, running)), List.copyOf(all.subList(running, n)), cached,
                    n * 10_000_000L);
        }

        @Override public Clock clock() { return () -> nowNanos; }
        @Override public int cachedPrefixTokens(SeqView seq) { return cached[(int) seq.id()]; }
    }
}

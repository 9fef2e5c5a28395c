package servelab.bench.effects;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import servelab.api.PluginDescriptor;
import servelab.api.PluginKind;
import servelab.api.batch.Batcher;
import servelab.api.route.Admission;
import servelab.api.route.Router;
import servelab.api.sched.Scheduler;
import servelab.datasets.TraceRequest;
import servelab.plugins.caching.paged.PagedKvAllocator;
import servelab.runtime.engine.PolicySlot;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaConfig;
import servelab.runtime.engine.ReplicaSlots;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.engine.Simulation;
import servelab.runtime.exec.SimulatedExecutor;
import servelab.runtime.exec.cost.CostModels;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RecorderOptions;
import servelab.runtime.record.RequestRow;
import servelab.runtime.record.RunRecorder;
import servelab.runtime.record.Slo;
import servelab.runtime.report.RunResults;
import servelab.runtime.report.Summary;
import servelab.runtime.engine.ClusterSlots;

/**
 * One simulated replay for a reproduction, built as {@code servelab run} builds a one-replica run (paged KV with
 * its default watermark, block size 16, the KV capacity the profile's GPU memory holds) but with the plugins created
 * from their factories, without the OSGi host, which changes nothing a policy sees. Rows are written to Arrow files
 * and summarised by {@link Summary}, so every figure has the definition {@code servelab run} prints; the request
 * rows are also kept for measures the summary does not have.
 */
final class Replay {
    static final String PROFILE = "llama-3-8b/h100-80gb";
    static final int BLOCK_SIZE = 16;

    /** What a replay produced. */
    record Result(Summary summary, List<RequestRow> requests) {}

    private Replay() {}

    /** A replay with the KV capacity the profile's GPU memory holds. */
    static Result run(List<TraceRequest> trace, Choice<Scheduler> scheduler, Choice<Batcher> batcher) {
        return run(trace, scheduler, batcher, 0);
    }

    /** A replay with {@code kvBlocks} KV blocks of 16 tokens (0: what the profile's GPU memory holds). */
    static Result run(List<TraceRequest> trace, Choice<Scheduler> scheduler, Choice<Batcher> batcher, int kvBlocks) {
        return run(trace, scheduler, batcher, kvBlocks, Choice.of(new servelab.plugins.caching.prefix.NoPrefixCache()));
    }

    /** A replay with a prefix cache (and LRU eviction). */
    static Result run(List<TraceRequest> trace, Choice<Scheduler> scheduler, Choice<Batcher> batcher, int kvBlocks,
                      Choice<servelab.api.kv.PrefixCache> prefixCache) {
        var cost = CostModels.load(PROFILE);
        int blocks = kvBlocks > 0 ? kvBlocks : cost.kvCapacityBlocks(BLOCK_SIZE);
        var slots = new ReplicaSlots(new PolicySlot<>(scheduler.install()), new PolicySlot<>(batcher.install()),
                new PolicySlot<>(Choice.of(new PagedKvAllocator()).install()),
                new PolicySlot<>(prefixCache.install()),
                new PolicySlot<>(Choice.of(new servelab.plugins.caching.eviction.LruEviction()).install()),
                new PolicySlot<>(servelab.runtime.builtin.Speculators.noneInstalled()));
        Path dir = null;
        try {
            dir = Files.createTempDirectory("servelab-effect-");
            var requests = new ArrayList<RequestRow>();
            try (var recorder = RunRecorder.create(dir, RecorderOptions.defaults())) {
                var sink = new ResultSink() {
                    @Override public void request(RequestRow row) { requests.add(row); recorder.request(row); }
                    @Override public void iteration(IterationRow row) { recorder.iteration(row); }
                    @Override public void event(EventRow row) { recorder.event(row); }
                };
                // no max_model_len: the published effects replay whole traces (Mooncake's came from a long-context
                // model; about half its rows exceed Llama 3's 8,192 tokens), priced with the Llama 3 cost model
                var replica = new Replica(0, new ReplicaConfig(BLOCK_SIZE, blocks, 0, false, Integer.MAX_VALUE, false),
                        slots, new SimulatedExecutor(cost, BLOCK_SIZE), sink);
                Router only = (r, replicas) -> 0;
                Admission all = (r, replicas) -> new Admission.Admit();
                new Simulation(List.of(replica), new ClusterSlots(
                        new PolicySlot<>(new PolicySlot.Installed<>(only, descriptor(PluginKind.ROUTER, "single"), Map.of(), "effects")),
                        new PolicySlot<>(new PolicySlot.Installed<>(all, descriptor(PluginKind.ADMISSION, "accept-all"), Map.of(), "effects"))),
                        sink).run(trace.iterator());
            }
            return new Result(Summary.compute(RunResults.load(dir), Slo.NONE), requests);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delete(dir);
        }
    }

    private static PluginDescriptor descriptor(PluginKind kind, String name) {
        return new PluginDescriptor(kind, name, "1.0.0", "effects", List.of());
    }

    private static void delete(Path dir) {
        if (dir == null) return;
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }
}

package servelab.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import servelab.api.PluginDescriptor;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.Params;
import servelab.api.route.Admission;
import servelab.api.route.Router;
import servelab.datasets.TraceRequest;
import servelab.plugins.batching.continuous.ContinuousBatcher;
import servelab.plugins.caching.paged.PagedKvAllocator;
import servelab.runtime.engine.PolicySlot;
import servelab.runtime.engine.Replica;
import servelab.runtime.engine.ReplicaConfig;
import servelab.runtime.engine.ReplicaSlots;
import servelab.runtime.engine.ResultSink;
import servelab.runtime.engine.Simulation;
import servelab.runtime.exec.SimulatedExecutor;
import servelab.runtime.exec.cost.CostModel;
import servelab.runtime.exec.cost.CostModels;
import servelab.runtime.record.EventRow;
import servelab.runtime.record.IterationRow;
import servelab.runtime.record.RequestRow;
import servelab.schedulers.fcfs.FcfsScheduler;
import servelab.runtime.engine.ClusterSlots;

/**
 * The engine with the default plugins (fcfs, continuous, paged) created directly from their factories, on the
 * default profile, as {@code servelab run} builds it but without the OSGi host (measured separately).
 */
public final class BenchEngine {
    static final String PROFILE = "llama-3-8b/h100-80gb";
    static final int BLOCK_SIZE = 16;

    private BenchEngine() {}

    /** Replays {@code trace} to the end into {@code sink}; returns the simulated end time in ns. */
    static long replay(Iterator<TraceRequest> trace, ResultSink sink) {
        CostModel cost = CostModels.load(PROFILE);
        var slots = new ReplicaSlots(slot(new FcfsScheduler()), slot(new ContinuousBatcher()),
                slot(new PagedKvAllocator()), slot(new servelab.plugins.caching.prefix.NoPrefixCache()),
                slot(new servelab.plugins.caching.eviction.LruEviction()),
                new PolicySlot<>(servelab.runtime.builtin.Speculators.noneInstalled()));
        // no max_model_len, so the replay speed stays comparable with figures measured before profiles had one
        var replica = new Replica(0, new ReplicaConfig(BLOCK_SIZE, cost.kvCapacityBlocks(BLOCK_SIZE), 0, false,
                Integer.MAX_VALUE, false), slots,
                new SimulatedExecutor(cost, BLOCK_SIZE), sink);
        Router only = (request, replicas) -> 0;
        Admission all = (request, replicas) -> new Admission.Admit();
        var cluster = new ClusterSlots(
                new PolicySlot<>(new PolicySlot.Installed<>(only, descriptor(PluginKind.ROUTER, "single"), Map.of(), "bench")),
                new PolicySlot<>(new PolicySlot.Installed<>(all, descriptor(PluginKind.ADMISSION, "accept-all"), Map.of(), "bench")));
        return new Simulation(List.of(replica), cluster, sink).run(trace);
    }

    private static <T> PolicySlot<T> slot(PluginFactory<T> factory) {
        var d = factory.descriptor();
        var params = Params.defaults(d.params());
        return new PolicySlot<>(new PolicySlot.Installed<>(factory.create(params), d, params.asMap(), "bench"));
    }

    private static PluginDescriptor descriptor(PluginKind kind, String name) {
        return new PluginDescriptor(kind, name, "1.0.0", "benchmark", List.of());
    }

    /** The shared traces folder: -Dservelab.sharedDir, else ../shared beside the repository. */
    public static Path sharedTrace(String relative) {
        var dir = Path.of(System.getProperty("servelab.sharedDir", "../shared"));
        var file = dir.resolve("traces").resolve(relative);
        if (!Files.exists(file)) {
            throw new IllegalStateException(file.toAbsolutePath() + " not found: run from the repository root with "
                    + "../shared beside it, or pass -Dservelab.sharedDir=DIR");
        }
        return file;
    }

    /** Counts what the engine did, and nothing else. */
    static final class Counting implements ResultSink {
        long sequenceIterations;
        long iterations;
        long requests;
        long outputTokens;

        @Override
        public void request(RequestRow row) {
            requests++;
            outputTokens += row.outputTokens();
        }

        @Override
        public void iteration(IterationRow row) {
            iterations++;
            sequenceIterations += row.batchSize();
        }

        @Override
        public void event(EventRow row) {}
    }
}

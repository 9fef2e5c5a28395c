package servelab.testkit;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;

import servelab.api.ParamSpec;
import servelab.api.PluginFactory;
import servelab.api.PluginKind;
import servelab.api.batch.Batcher;
import servelab.api.kv.Eviction;
import servelab.api.kv.KvAllocator;
import servelab.api.kv.PrefixCache;
import servelab.api.route.Admission;
import servelab.api.route.Router;
import servelab.api.sched.Scheduler;
import servelab.api.spec.Speculator;

/** Every contract on the reference policies and the examples: the contracts can pass, and the testkit runs all eight. */
class ExampleContractsTest {
    private static final List<ParamSpec> LIMITS = List.of(
            ParamSpec.ofInt("max_num_seqs", 8, 1, 1024, "most sequences in one step"),
            ParamSpec.ofInt("max_num_batched_tokens", 256, 1, 1 << 20, "most tokens computed in one step"),
            ParamSpec.ofChoice("preempt_mode", "recompute", List.of("recompute", "swap"), "how a preempted sequence gives back its KV"));

    @Nested
    class Fcfs extends SchedulerContractTest {
        @Override protected PluginFactory<Scheduler> factory() {
            return Examples.factory(PluginKind.SCHEDULER, "fcfs", List.of(), p -> ReferencePolicies.fcfs());
        }
    }

    @Nested
    class Continuous extends BatcherContractTest {
        @Override protected PluginFactory<Batcher> factory() {
            return Examples.factory(PluginKind.BATCHER, "continuous", LIMITS, p -> ReferencePolicies.batcher(p.asMap()));
        }
    }

    @Nested
    class Paged extends KvAllocatorContractTest {
        @Override protected PluginFactory<KvAllocator> factory() {
            return Examples.factory(PluginKind.KV_ALLOCATOR, "paged", List.of(), p -> ReferencePolicies.pagedAllocator());
        }
    }

    @Nested
    class KeyMap extends PrefixCacheContractTest {
        @Override protected PluginFactory<PrefixCache> factory() {
            return Examples.KEY_MAP;
        }
    }

    @Nested
    class Lru extends EvictionContractTest {
        @Override protected PluginFactory<Eviction> factory() {
            return Examples.factory(PluginKind.EVICTION, "lru", List.of(), p -> ReferencePolicies.lruEviction());
        }
    }

    @Nested
    class RepeatLast extends SpeculatorContractTest {
        @Override protected PluginFactory<Speculator> factory() {
            return Examples.REPEAT_LAST;
        }
    }

    @Nested
    class LeastLoaded extends RouterContractTest {
        @Override protected PluginFactory<Router> factory() {
            return Examples.LEAST_LOADED;
        }
    }

    @Nested
    class QueueCap extends AdmissionContractTest {
        @Override protected PluginFactory<Admission> factory() {
            return Examples.QUEUE_CAP;
        }

        @Override protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("max_queued", 20), Map.of("max_queued", 0));
        }
    }
}

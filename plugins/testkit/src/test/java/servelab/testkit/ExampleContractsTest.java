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
import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.Breaker;
import servelab.api.resilience.GatewayView;
import servelab.api.resilience.HedgePolicy;
import servelab.api.resilience.RetryPolicy;
import servelab.api.route.Admission;
import servelab.api.route.Router;
import servelab.api.scale.Autoscaler;
import servelab.api.sched.Scheduler;
import servelab.api.spec.Speculator;

/** Every contract on the reference policies and the examples: the contracts can pass, and the testkit runs all twelve. */
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

    @Nested
    class ThreeTries extends RetryContractTest {
        @Override protected PluginFactory<RetryPolicy> factory() {
            return Examples.factory(PluginKind.RETRY, "three-tries", List.of(), p -> (end, gateway) -> end.attempt() < 2
                    ? new RetryPolicy.Retry(100_000_000L << end.attempt()) : new RetryPolicy.GiveUp("3 attempts failed"));
        }
    }

    @Nested
    class AfterP95 extends HedgeContractTest {
        @Override protected PluginFactory<HedgePolicy> factory() {
            return Examples.factory(PluginKind.HEDGE, "after-p95", List.of(), p -> (request, gateway) -> {
                long p95 = gateway.recentLatencyNanos(0.95);
                return p95 == 0 ? HedgePolicy.NEVER : p95;
            });
        }
    }

    @Nested
    class ThreeStrikes extends BreakerContractTest {
        @Override protected PluginFactory<Breaker> factory() {
            return Examples.factory(PluginKind.BREAKER, "three-strikes", List.of(), p -> new Breaker() {
                private final java.util.Map<Integer, Integer> strikes = new java.util.HashMap<>();
                private final java.util.Map<Integer, Long> until = new java.util.HashMap<>();

                @Override public boolean allows(int replica, GatewayView gateway) {
                    return gateway.nowNanos() >= until.getOrDefault(replica, 0L);
                }

                @Override public void onEnd(AttemptEnd end, GatewayView gateway) {
                    int n = end.result().isFailure() ? strikes.merge(end.replica(), 1, Integer::sum) : 0;
                    strikes.put(end.replica(), n % 3);
                    if (n == 3) until.put(end.replica(), gateway.nowNanos() + 10_000_000_000L);
                }
            });
        }
    }

    @Nested
    class Fixed extends AutoscalerContractTest {
        @Override protected PluginFactory<Autoscaler> factory() {
            return Examples.factory(PluginKind.AUTOSCALER, "fixed", List.of(),
                    p -> fleet -> fleet.servingReplicas() + fleet.startingReplicas());
        }
    }
}

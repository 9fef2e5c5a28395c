package servelab.plugins.resilience.hedge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import servelab.api.PluginFactory;
import servelab.api.resilience.HedgePolicy;
import servelab.testkit.FakeCluster;
import servelab.testkit.GatewaySnapshot;
import servelab.testkit.HedgeContractTest;
import servelab.testkit.TinyEngine;

class QuantileHedgeTest {
    private static final QuantileHedge FACTORY = new QuantileHedge();
    private static final FakeCluster.Request REQUEST = new FakeCluster(1).request();
    private static final long MS = 1_000_000L;

    private static HedgePolicy hedge(Map<String, ?> params) {
        return TinyEngine.create(FACTORY, params);
    }

    /** 100 answers of 1..100 ms: p95 is 95 ms, p50 is 50 ms. */
    private static GatewaySnapshot oneToHundredMillis() {
        var ms = new long[100];
        for (int i = 0; i < 100; i++) ms[i] = i + 1;
        return GatewaySnapshot.idle(4).withLive(40, 0, 0).withLatenciesMillis(ms);
    }

    @Test
    void aCapThatAllowsNoHedgeIsRefused() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> hedge(Map.of("max_hedge_fraction", 0)));
        assertEquals("parameter 'max_hedge_fraction' is 0, which allows no hedge; for no hedging, use the hedge plugin"
                + " 'none'", e.getMessage());
    }

    @Nested
    class Contract extends HedgeContractTest {
        @Override protected PluginFactory<HedgePolicy> factory() { return FACTORY; }

        @Override
        protected List<Map<String, Object>> parameterSets() {
            return List.of(Map.of(), Map.of("delay_ms", 250), Map.of("max_hedge_fraction", 0.05, "quantile", 0.99));
        }
    }

    @Test
    void hedgesAfterTheRecentP95() {
        assertEquals(95 * MS, hedge(Map.of()).hedgeAfterNanos(REQUEST, oneToHundredMillis()));
        assertEquals(50 * MS, hedge(Map.of("quantile", 0.5)).hedgeAfterNanos(REQUEST, oneToHundredMillis()));
    }

    @Test
    void doesNotHedgeBeforeTheFirstAnswer() {
        // given: an empty window, then: no hedge (hedging at the floor would copy every attempt)
        assertEquals(HedgePolicy.NEVER, hedge(Map.of()).hedgeAfterNanos(REQUEST, GatewaySnapshot.idle(4).withLive(5, 0, 0)));
    }

    @Test
    void neverHedgesSoonerThanTheFloor() {
        // given: answers of 2 ms, a 30 ms floor
        var fast = GatewaySnapshot.idle(4).withLive(5, 0, 0).withLatenciesMillis(2, 2, 2);
        assertEquals(30 * MS, hedge(Map.of("min_delay_ms", 30)).hedgeAfterNanos(REQUEST, fast));
    }

    @Test
    void aFixedDelayIgnoresTheWindow() {
        assertEquals(250 * MS, hedge(Map.of("delay_ms", 250)).hedgeAfterNanos(REQUEST, oneToHundredMillis()));
        assertEquals(250 * MS, hedge(Map.of("delay_ms", 250)).hedgeAfterNanos(REQUEST, GatewaySnapshot.idle(2)));
    }

    @Test
    void stopsHedgingWhileHedgesInFlightReachTheCap() {
        var policy = hedge(Map.of("max_hedge_fraction", 0.1));
        // given: 40 live requests, so at most 4 hedges in flight
        assertEquals(95 * MS, policy.hedgeAfterNanos(REQUEST, oneToHundredMillis().withLive(40, 0, 3)));
        assertEquals(HedgePolicy.NEVER, policy.hedgeAfterNanos(REQUEST, oneToHundredMillis().withLive(40, 0, 4)));
    }
}

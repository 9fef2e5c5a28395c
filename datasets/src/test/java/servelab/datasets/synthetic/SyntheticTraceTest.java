package servelab.datasets.synthetic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import servelab.datasets.TraceRequest;
import servelab.datasets.TraceStats;

/**
 * Generated traces are deterministic and have the rates and CVs they are asked for. Tolerances are several
 * standard errors of the statistic at the sample size used (the samples are seeded, so the tests never flake;
 * the tolerance says how far a correct generator could drift with another seed).
 */
class SyntheticTraceTest {
    private static final Lengths TEN = new Lengths.Fixed(10);

    private static TraceStats stats(Arrivals arrivals, int count, long seed) {
        return TraceStats.of(SyntheticTrace.of(arrivals, TEN, TEN, count, seed));
    }

    @Test
    void theSameSeedGivesTheSameRequestsAndAnotherSeedDoesNot() {
        var trace = SyntheticTrace.of(new Arrivals.Gamma(4, 2), new Lengths.Zipf(1.1, 4096),
                new Lengths.LogNormal(200, 0.8, 1, 2048), 1_000, 42).withTenants(TenantMix.uniform(3));
        var first = trace.toList();
        var again = trace.toList(); // a second iteration of the same record replays the same requests
        assertEquals(first, again);
        assertEquals(first, SyntheticTrace.of(new Arrivals.Gamma(4, 2), new Lengths.Zipf(1.1, 4096),
                new Lengths.LogNormal(200, 0.8, 1, 2048), 1_000, 42).withTenants(TenantMix.uniform(3)).toList());
        assertNotEquals(trace.toList(), trace.withSeed(43).toList());
    }

    @Test
    void changingTheLengthsLeavesTheArrivalsAlone() {
        var a = SyntheticTrace.of(new Arrivals.Poisson(3), TEN, TEN, 500, 7);
        var b = SyntheticTrace.of(new Arrivals.Poisson(3), new Lengths.Uniform(1, 900), new Lengths.Zipf(1.5, 100), 500, 7)
                .withTenants(TenantMix.weighted(1, 2));
        assertEquals(a.stream().map(TraceRequest::arrivalNanos).toList(), b.stream().map(TraceRequest::arrivalNanos).toList());
    }

    @Test
    void startsAtZeroWithIdsInOrder() {
        var requests = SyntheticTrace.of(new Arrivals.Poisson(10), TEN, TEN, 100, 1).toList();
        assertEquals(0, requests.getFirst().arrivalNanos());
        for (int i = 0; i < requests.size(); i++) {
            assertEquals(i, requests.get(i).id());
            if (i > 0) assertTrue(requests.get(i).arrivalNanos() >= requests.get(i - 1).arrivalNanos());
        }
    }

    @Test
    void poissonArrivalsHaveTheRateAndAreNeitherBurstyNorRegular() {
        // 200,000 exponential gaps: the mean's standard error is 0.22%, the CV's 0.32%, and the 1-s index of
        // dispersion's (40,000 bins) about 0.7%
        var stats = stats(new Arrivals.Poisson(5), 200_000, 11);
        assertEquals(5.0, stats.rateRps(), 5.0 * 0.01);
        assertEquals(1.0, stats.cvIat(), 0.02);
        assertEquals(1.0, stats.idxDisp1s(), 0.05);
    }

    @Test
    void gammaArrivalsHaveTheRateAndTheCv() {
        // CV 3 (shape 1/9): standard error of the mean 3/sqrt(n) = 0.67%, of the CV about 0.85% (kurtosis 57)
        var bursty = stats(new Arrivals.Gamma(10, 3), 200_000, 12);
        assertEquals(10.0, bursty.rateRps(), 10.0 * 0.03);
        assertEquals(3.0, bursty.cvIat(), 3.0 * 0.05);
        // CV 0.5 (shape 4): standard errors about 0.11% and 0.2%
        var regular = stats(new Arrivals.Gamma(10, 0.5), 200_000, 13);
        assertEquals(10.0, regular.rateRps(), 10.0 * 0.01);
        assertEquals(0.5, regular.cvIat(), 0.5 * 0.02);
    }

    @Test
    void onOffArrivalsAverageTheTwoRatesAndComeInBursts() {
        // on 5 s at 20 req/s, off 15 s at 0: mean rate 20 * 5 / 20 = 5 req/s. 1,000,000 requests span about
        // 10,000 on/off cycles, each carrying a count with CV about 1, so the rate's standard error is about 1%
        var arrivals = new Arrivals.OnOff(20, 0, 5, 15);
        assertEquals(5.0, arrivals.meanRatePerSecond(), 1e-12);
        var stats = stats(arrivals, 1_000_000, 14);
        assertEquals(5.0, stats.rateRps(), 5.0 * 0.05);
        // idle periods make gaps far more variable than Poisson's, and minute counts overdispersed
        assertTrue(stats.cvIat() > 2, "cv " + stats.cvIat());
        assertTrue(stats.idxDisp60s() > 10, "dispersion " + stats.idxDisp60s());
    }

    @Test
    @org.junit.jupiter.api.Timeout(20)
    void onOffPeriodsThatAlmostNeverHoldAnArrivalEndAtTheClocksRangeInsteadOfSwitchingForever() {
        // off periods of 1e300 s: the generator switched for ever; past the clock's range it stops
        var trace = SyntheticTrace.of(new Arrivals.OnOff(10, 0, 1, 1e300), TEN, TEN, 20, 3).iterator();
        var e = assertThrows(IllegalStateException.class, () -> {
            while (trace.hasNext()) trace.next();
        });
        assertEquals("generated arrival past 9.2e9 s: lower the count or raise the rate", e.getMessage());
        // on periods of 1e-300 s: no arrival in 1e299 cycles, refused when made
        var rare = assertThrows(IllegalArgumentException.class, () -> new Arrivals.OnOff(10, 0, 1e-300, 1));
        assertTrue(rare.getMessage().startsWith("OnOff: onRatePerSecond * meanOnSeconds + offRatePerSecond * "
                + "meanOffSeconds must be at least 1.0E-6 arrivals per on-off cycle, was 1.0E-299"), rare.getMessage());
    }

    @Test
    void tenantsFollowTheirWeights() {
        // 3:1 weights over 100,000 requests: the share's standard error is 0.14%
        var requests = SyntheticTrace.of(new Arrivals.Poisson(1), TEN, TEN, 100_000, 15)
                .withTenants(new TenantMix(List.of("big", "small"), List.of(3.0, 1.0))).toList();
        long big = requests.stream().filter(r -> r.tenant().equals("big")).count();
        assertEquals(0.75, big / 100_000.0, 0.01);
    }

    @Test
    void invalidParametersNameTheFieldTheValueAndWhatIsAllowed() {
        assertEquals("Poisson.ratePerSecond must be finite and > 0, was 0.0",
                assertThrows(IllegalArgumentException.class, () -> new Arrivals.Poisson(0)).getMessage());
        assertEquals("OnOff.offRatePerSecond must be finite and >= 0, was -1.0",
                assertThrows(IllegalArgumentException.class, () -> new Arrivals.OnOff(1, -1, 1, 1)).getMessage());
        assertEquals("SyntheticTrace.count must be >= 1, was 0", assertThrows(IllegalArgumentException.class,
                () -> SyntheticTrace.of(new Arrivals.Poisson(1), TEN, TEN, 0, 1)).getMessage());
        assertEquals("TenantMix.weights[1] must be finite and > 0, was 0.0", assertThrows(IllegalArgumentException.class,
                () -> TenantMix.weighted(1, 0)).getMessage());
    }
}

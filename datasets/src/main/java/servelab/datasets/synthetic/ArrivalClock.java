package servelab.datasets.synthetic;

import java.util.random.RandomGenerator;

/** The running state of an {@link Arrivals} process: the time of the next arrival, in seconds. */
final class ArrivalClock {
    private final Arrivals process;
    private final RandomGenerator random;
    private double now;
    private boolean started;
    /** Past the run clock's range (nanoseconds in a long): no arrival is drawn beyond it. */
    static final double LAST_SECOND = 9.2e9;
    private boolean on = true;
    private double periodEnd = Double.NaN;

    ArrivalClock(Arrivals process, RandomGenerator random) {
        this.process = process;
        this.random = random;
    }

    /** Seconds from the first arrival (which is at 0) to the next one. */
    double next() {
        if (!started) {
            started = true;
            return 0;
        }
        now += switch (process) {
            case Arrivals.Poisson p -> random.nextExponential() / p.ratePerSecond();
            case Arrivals.Gamma g -> GammaSampler.next(random, 1 / (g.cv() * g.cv())) / (g.ratePerSecond() / (g.cv() * g.cv()));
            case Arrivals.OnOff o -> onOffGap(o);
        };
        return now;
    }

    /**
     * Draws a gap at the current period's rate; if it would cross the period's end, moves to the end, switches
     * period and draws again. Exact, because exponential gaps are memoryless.
     */
    private double onOffGap(Arrivals.OnOff o) {
        if (Double.isNaN(periodEnd)) periodEnd = random.nextExponential() * o.meanOnSeconds();
        double t = now;
        while (true) {
            // periods that almost never hold an arrival (mean_on_s 1e-300, or an off period of 1e300 s) switched
            // forever: past the clock's range, the caller refuses the arrival
            if (t > LAST_SECOND) return t - now;
            double rate = on ? o.onRatePerSecond() : o.offRatePerSecond();
            double candidate = rate > 0 ? t + random.nextExponential() / rate : Double.POSITIVE_INFINITY;
            if (candidate < periodEnd) return candidate - now;
            t = periodEnd;
            on = !on;
            periodEnd = t + random.nextExponential() * (on ? o.meanOnSeconds() : o.meanOffSeconds());
        }
    }
}

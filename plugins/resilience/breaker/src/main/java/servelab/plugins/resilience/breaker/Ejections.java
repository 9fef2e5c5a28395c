package servelab.plugins.resilience.breaker;

import java.util.Arrays;

import servelab.api.resilience.AttemptEnd;
import servelab.api.resilience.Breaker;
import servelab.api.resilience.GatewayView;

/** The ejection state of one run: per replica, failures in a row, times ejected, and the end of its ejection. */
final class Ejections implements Breaker {
    /**
     * @param slowNanos answers slower than this count as failures; 0: none do
     */
    record Settings(int consecutive, long baseNanos, long maxNanos, double maxPercent, long slowNanos) {}

    private final Settings settings;
    private int[] inARow = new int[0];
    private int[] timesEjected = new int[0];
    /** When each replica's ejection ends; Long.MIN_VALUE while it is not ejected. */
    private long[] ejectedUntil = new long[0];
    private int ejected;

    Ejections(Settings settings) {
        this.settings = settings;
    }

    @Override
    public boolean allows(int replica, GatewayView gateway) {
        grow(Math.max(replica + 1, gateway.replicas()));
        expire(replica, gateway.nowNanos());
        return ejectedUntil[replica] == Long.MIN_VALUE;
    }

    @Override
    public void onEnd(AttemptEnd end, GatewayView gateway) {
        int r = end.replica();
        if (r < 0 || end.result() == AttemptEnd.Result.CANCELLED) return;
        grow(Math.max(r + 1, gateway.replicas()));
        long now = gateway.nowNanos();
        expire(r, now);
        if (!isFailure(end)) {
            inARow[r] = 0;
            return;
        }
        inARow[r]++;
        if (inARow[r] >= settings.consecutive() && ejectedUntil[r] == Long.MIN_VALUE && roomToEject(gateway)) {
            eject(r, now);
        }
    }

    /** Replicas ejected now (expired ejections counted until asked about), for tests. */
    int ejected() {
        return ejected;
    }

    private boolean isFailure(AttemptEnd end) {
        return end.result().isFailure() || settings.slowNanos() > 0 && end.latencyNanos() > settings.slowNanos();
    }

    /** Envoy: eject at once when none is ejected, else only while the ejected are under the percentage. */
    private boolean roomToEject(GatewayView gateway) {
        expireAll(gateway.nowNanos());
        int replicas = Math.max(1, Math.max(gateway.replicas(), ejectedUntil.length));
        return ejected == 0 || 100.0 * ejected / replicas < settings.maxPercent();
    }

    private void eject(int r, long now) {
        timesEjected[r]++;
        long time = Math.min(settings.maxNanos(), settings.baseNanos() * timesEjected[r]);
        ejectedUntil[r] = now + time;
        inARow[r] = 0;
        ejected++;
    }

    private void expire(int r, long now) {
        if (ejectedUntil[r] != Long.MIN_VALUE && now >= ejectedUntil[r]) {
            ejectedUntil[r] = Long.MIN_VALUE;
            ejected--;
        }
    }

    private void expireAll(long now) {
        for (int r = 0; r < ejectedUntil.length; r++) expire(r, now);
    }

    private void grow(int replicas) {
        if (replicas <= ejectedUntil.length) return;
        int old = ejectedUntil.length;
        inARow = Arrays.copyOf(inARow, replicas);
        timesEjected = Arrays.copyOf(timesEjected, replicas);
        ejectedUntil = Arrays.copyOf(ejectedUntil, replicas);
        Arrays.fill(ejectedUntil, old, replicas, Long.MIN_VALUE);
    }
}

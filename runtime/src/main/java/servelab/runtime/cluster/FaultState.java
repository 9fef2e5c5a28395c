package servelab.runtime.cluster;

import java.util.Arrays;

/**
 * The injected faults in force right now, per replica: what the gateway and the router consult. The simulation
 * keeps it current as the fault schedule's starts and ends fire in its event loop (in time order, so a run is
 * deterministic); between two of those events it does not change. A replica with no fault reads as healthy:
 * reachable, no responses lost, steps at their normal speed.
 *
 * {@snippet :
 * FaultState faults = simulation.faultState();
 * if (faults.partitioned(replica)) { ... }                        // the router cannot reach it
 * if (random.nextDouble() < faults.responseLossProbability(r)) { ... } // its answer never reaches the client
 * }
 */
public final class FaultState {
    private final boolean[] partitioned;
    private final double[] responseLoss;
    private final double[] slowdown;
    private int active;

    public FaultState(int replicas) {
        partitioned = new boolean[replicas];
        responseLoss = new double[replicas];
        slowdown = new double[replicas];
        Arrays.fill(slowdown, 1.0);
    }

    /** Whether the router cannot reach replica {@code replica} (a network partition is in force). */
    public boolean partitioned(int replica) {
        return partitioned[replica];
    }

    /** The probability, 0 to 1, that an answer of replica {@code replica} never reaches its client. */
    public double responseLossProbability(int replica) {
        return responseLoss[replica];
    }

    /** Whether an answer of replica {@code replica} is lost on its way to the client: one draw seeded by {@code seed}. */
    public boolean answerLost(int replica, long seed) {
        double p = responseLoss[replica];
        return p > 0 && new java.util.SplittableRandom(seed).nextDouble() < p;
    }

    /** How many times longer the replica's steps take than the executor says (1.0 normally). */
    public double slowdown(int replica) {
        return slowdown[replica];
    }

    /** Replicas tracked. */
    public int replicas() {
        return slowdown.length;
    }

    /** Whether any fault is in force on any replica (the fault-free path checks this once and does nothing more). */
    public boolean anyActive() {
        return active > 0;
    }

    public void partition(int replica, boolean on) {
        if (partitioned[replica] != on) active += on ? 1 : -1;
        partitioned[replica] = on;
    }

    /** @param probability 0 ends the fault */
    public void loseResponses(int replica, double probability) {
        if (!(probability >= 0 && probability <= 1)) {
            throw new IllegalArgumentException("response loss probability must be in [0, 1], was " + probability);
        }
        if ((responseLoss[replica] > 0) != (probability > 0)) active += probability > 0 ? 1 : -1;
        responseLoss[replica] = probability;
    }

    /** @param factor 1.0 ends the fault */
    public void slowDown(int replica, double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("slowdown factor must be > 0 and finite, was " + factor);
        }
        if ((slowdown[replica] != 1.0) != (factor != 1.0)) active += factor != 1.0 ? 1 : -1;
        slowdown[replica] = factor;
    }
}

package servelab.datasets.synthetic;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Which tenant each generated request belongs to: tenant i with probability {@code weights[i] / sum(weights)},
 * independently per request. Fairness experiments (VTC and the like) use a few tenants of unequal weight.
 *
 * @param tenants distinct, non-blank names, in the order the weights follow
 * @param weights one positive weight per tenant
 */
public record TenantMix(List<String> tenants, List<Double> weights) {

    /** Every request belongs to {@code "default"}. */
    public static final TenantMix SINGLE = new TenantMix(List.of("default"), List.of(1.0));

    public TenantMix {
        tenants = List.copyOf(tenants);
        weights = List.copyOf(weights);
        if (tenants.isEmpty()) throw new IllegalArgumentException("TenantMix.tenants must not be empty");
        if (weights.size() != tenants.size()) {
            throw new IllegalArgumentException("TenantMix.weights must have one weight per tenant (" + tenants.size()
                    + "), had " + weights.size());
        }
        var seen = new HashSet<String>();
        for (int i = 0; i < tenants.size(); i++) {
            var name = tenants.get(i);
            if (name.isBlank()) throw new IllegalArgumentException("TenantMix.tenants[" + i + "] must not be blank");
            if (!seen.add(name)) throw new IllegalArgumentException("TenantMix.tenants must be distinct, '" + name + "' repeats");
            double w = Objects.requireNonNull(weights.get(i), "TenantMix.weights[" + i + "]");
            if (!(w > 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("TenantMix.weights[" + i + "] must be finite and > 0, was " + w);
            }
        }
    }

    /** {@code k} equally likely tenants named {@code tenant-0 .. tenant-(k-1)}. */
    public static TenantMix uniform(int k) {
        if (k < 1) throw new IllegalArgumentException("TenantMix.uniform: k must be >= 1, was " + k);
        var names = new ArrayList<String>();
        var weights = new ArrayList<Double>();
        for (int i = 0; i < k; i++) {
            names.add("tenant-" + i);
            weights.add(1.0);
        }
        return new TenantMix(names, weights);
    }

    /** {@code weights.length} tenants named {@code tenant-0 ..}, with these weights. */
    public static TenantMix weighted(double... weights) {
        var names = new ArrayList<String>();
        var list = new ArrayList<Double>();
        for (int i = 0; i < weights.length; i++) {
            names.add("tenant-" + i);
            list.add(weights[i]);
        }
        return new TenantMix(names, list);
    }

    /** Draws a tenant by inverting the cumulative weights (k is small: a linear scan). */
    String draw(RandomGenerator random, double[] cumulative) {
        if (cumulative.length == 1) return tenants.getFirst();
        double u = random.nextDouble() * cumulative[cumulative.length - 1];
        for (int i = 0; i < cumulative.length - 1; i++) if (u < cumulative[i]) return tenants.get(i);
        return tenants.getLast();
    }

    double[] cumulativeWeights() {
        var cumulative = new double[weights.size()];
        double sum = 0;
        for (int i = 0; i < cumulative.length; i++) cumulative[i] = sum += weights.get(i);
        return cumulative;
    }
}

package servelab.plugins.scaling.autoscaler;

import java.util.ArrayDeque;

/**
 * The Kubernetes HorizontalPodAutoscaler's scale-down stabilization window: a rise is followed at once, but the
 * fleet shrinks only to the highest recommendation of the last {@code windowNanos}, so a brief lull does not drain
 * replicas that the next burst needs (and that would then pay a cold start). Window 0: follow every
 * recommendation.
 *
 * <p>Cost: O(1) amortised per interval; holds the recommendations of one window.
 */
final class ScaleDownStabilizer {
    private record Recommendation(long atNanos, int replicas) {}

    private final long windowNanos;
    private final ArrayDeque<Recommendation> window = new ArrayDeque<>();

    ScaleDownStabilizer(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /**
     * @param current        replicas serving or starting now
     * @param recommendation what the rule asks for now
     * @return the recommendation when it is a rise, else {@code min(current, highest recommendation in the window)}
     */
    int stabilize(long nowNanos, int current, int recommendation) {
        window.addLast(new Recommendation(nowNanos, recommendation));
        while (window.peekFirst().atNanos() < nowNanos - windowNanos) window.removeFirst();
        if (recommendation >= current) return recommendation;
        int highest = recommendation;
        for (var r : window) highest = Math.max(highest, r.replicas());
        return Math.min(current, highest);
    }
}

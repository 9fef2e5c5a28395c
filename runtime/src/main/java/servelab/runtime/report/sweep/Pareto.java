package servelab.runtime.report.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/** The Pareto front of points that maximise a benefit (goodput) and minimise a cost (replica-seconds). */
public final class Pareto {
    private Pareto() {}

    /**
     * Indices of the points no other point dominates (at least as good on both, better on one), by increasing cost.
     * Points with a NaN benefit or cost are left out. O(n log n).
     */
    public static List<Integer> front(double[] benefit, double[] cost) {
        var order = IntStream.range(0, benefit.length)
                .filter(i -> !Double.isNaN(benefit[i]) && !Double.isNaN(cost[i])).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> cost[i]).thenComparingDouble(i -> -benefit[i]))
                .toList();
        var front = new ArrayList<Integer>();
        double best = Double.NEGATIVE_INFINITY;
        for (int i : order) {
            // cheaper points came first: this one is on the front only if it beats all of them on benefit, or ties
            // the last point on the front on both (an exact tie dominates neither: both stay)
            boolean tie = !front.isEmpty() && benefit[i] == best && cost[i] == cost[front.getLast()];
            if (benefit[i] > best || tie) {
                front.add(i);
                best = benefit[i];
            }
        }
        return front;
    }
}

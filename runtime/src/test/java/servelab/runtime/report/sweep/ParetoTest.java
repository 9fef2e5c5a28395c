package servelab.runtime.report.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class ParetoTest {
    @Test
    void keepsOnlyPointsNoOtherBeatsOnGoodputAtNoMoreCost() {
        // given: (cost, goodput) = (1, 2) (2, 5) (2, 4) (3, 5) (4, 7) (5, NaN)
        double[] goodput = {2, 5, 4, 5, 7, Double.NaN};
        double[] cost = {1, 2, 2, 3, 4, 5};
        // then: (2, 4) loses to (2, 5), (3, 5) to (2, 5); the NaN point is left out
        assertEquals(List.of(0, 1, 4), Pareto.front(goodput, cost));
    }

    @Test
    void equalPointsAreBothOnTheFront() {
        // neither dominates the other (neither is better on one): a table keeping one said the other was worse, as
        // when sjf and fcfs give identical results at a light load
        assertEquals(List.of(0, 1), Pareto.front(new double[] {3, 3}, new double[] {1, 1}));
        // the same benefit at a higher cost is dominated, and so is a lower benefit at the same cost
        assertEquals(List.of(0, 2), Pareto.front(new double[] {3, 3, 3, 2}, new double[] {1, 2, 1, 1}));
    }
}

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
    void equalPointsKeepOneOnTheFront() {
        assertEquals(List.of(0), Pareto.front(new double[] {3, 3}, new double[] {1, 1}));
    }
}

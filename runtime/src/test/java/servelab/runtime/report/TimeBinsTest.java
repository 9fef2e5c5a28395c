package servelab.runtime.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TimeBinsTest {

    @Test
    void valuesFallIntoEqualBinsAndEmptyBinsAreLeftOut() {
        // given: 4 bins of 1 s over [0, 4]; nothing in [2, 3); the value at 4 s goes into the last bin
        double[] times = {0.1, 0.5, 1.2, 3.5, 4.0};
        double[] values = {10, 20, 30, 40, 60};
        var bins = TimeBins.of(times, values, 0, 4, 4);
        // then: three bins, at their centres, with their means and counts
        assertArrayEquals(new double[] {0.5, 1.5, 3.5}, bins.centerS());
        assertArrayEquals(new double[] {15, 30, 50}, bins.mean());
        assertArrayEquals(new int[] {2, 1, 2}, bins.count());
        assertArrayEquals(new double[] {15, 30, 50}, bins.p50());
    }

    @Test
    void nullValuesAndTimesOutsideTheSpanAreLeftOut() {
        double[] times = {0.5, 0.6, 9.0};
        double[] values = {1, Double.NaN, 5};
        var bins = TimeBins.of(times, values, 0, 1, 2);
        assertEquals(1, bins.size());
        assertArrayEquals(new double[] {1}, bins.mean());
    }

    @Test
    void percentilesPerBinInterpolateAsNumpyDoes() {
        double[] times = new double[101];
        double[] values = new double[101];
        for (int i = 0; i <= 100; i++) {
            times[i] = 0.5;
            values[i] = i;
        }
        var bins = TimeBins.of(times, values, 0, 1, 1);
        assertEquals(90, bins.p90()[0], 1e-9);
        assertEquals(99, bins.p99()[0], 1e-9);
    }

    @Test
    void mismatchedLengthsAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> TimeBins.of(new double[2], new double[3], 0, 1, 1));
        assertEquals("TimeBins: 2 times but 3 values", e.getMessage());
    }
}

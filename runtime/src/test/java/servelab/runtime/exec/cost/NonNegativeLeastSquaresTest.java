package servelab.runtime.exec.cost;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class NonNegativeLeastSquaresTest {

    @Test
    void matchesPlainLeastSquaresWhenTheSolutionIsPositive() {
        // b = 1 + 2 t exactly, so the unconstrained solution (1, 2) is also the constrained one
        double[][] a = {{1, 0}, {1, 1}, {1, 2}, {1, 3}};
        double[] b = {1, 3, 5, 7};
        assertArrayEquals(new double[] {1, 2}, NonNegativeLeastSquares.solve(a, b), 1e-12);
    }

    @Test
    void clampsACoefficientThatPlainLeastSquaresWouldMakeNegative() {
        // unconstrained: normal equations [[2,1],[1,2]] x = [3,0] give (2, -1);
        // with x2 = 0 the best x1 minimises (x1-2)^2 + 1 + (x1-1)^2, so x1 = 1.5
        double[][] a = {{1, 0}, {0, 1}, {1, 1}};
        double[] b = {2, -1, 1};
        assertArrayEquals(new double[] {1.5, 0}, NonNegativeLeastSquares.solve(a, b), 1e-12);
    }

    @Test
    void givesAnAllZeroColumnAZeroCoefficient() {
        double[][] a = {{1, 0, 1}, {1, 0, 2}, {1, 0, 3}};
        double[] b = {2, 3, 4};
        assertArrayEquals(new double[] {1, 0, 1}, NonNegativeLeastSquares.solve(a, b), 1e-12);
    }

    @Test
    void solvesColumnsTenOrdersOfMagnitudeApart() {
        // features like "1" and "attention pairs" (1e9) in one fit: b = 3 + 2e-9 x
        double[][] a = {{1, 1e9}, {1, 2e9}, {1, 5e9}, {1, 7e9}};
        double[] b = {5, 7, 13, 17};
        assertArrayEquals(new double[] {3, 2e-9}, NonNegativeLeastSquares.solve(a, b), 1e-12);
    }
}

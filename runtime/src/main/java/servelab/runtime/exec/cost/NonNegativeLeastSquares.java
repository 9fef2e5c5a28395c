package servelab.runtime.exec.cost;

/**
 * Least squares with every coefficient constrained to be &ge; 0: minimise |A x - b|^2 subject to x &ge; 0.
 *
 * <p>Solved exactly by trying every support set (the columns allowed to be non-zero): the optimum's non-zero
 * coefficients are the unconstrained least-squares solution on its support, so the best feasible solution over all
 * supports is the optimum. That is 2^n solves, which is the right trade for the handful of columns a step-time table
 * has (n = 6: 63 small QR solves), and it needs no iteration limits or tolerances beyond the rank test.
 * Columns are scaled to unit maximum first because step features span ten orders of magnitude.
 */
final class NonNegativeLeastSquares {
    /** Supports past this many columns would make the exhaustive search too slow; none of ours comes close. */
    static final int MAX_COLUMNS = 12;
    private static final double RANK_TOLERANCE = 1e-10;

    private NonNegativeLeastSquares() {
    }

    /** The x &ge; 0 minimising |A x - b|^2; {@code a} is rows x columns and is not modified. */
    static double[] solve(double[][] a, double[] b) {
        int m = a.length;
        int n = a[0].length;
        if (n > MAX_COLUMNS) throw new IllegalArgumentException("at most " + MAX_COLUMNS + " columns, was " + n);
        double[] scale = new double[n];
        for (double[] row : a) {
            for (int j = 0; j < n; j++) scale[j] = Math.max(scale[j], Math.abs(row[j]));
        }
        double[] best = new double[n];
        double bestSse = sse(a, b, best, scale);
        for (int support = 1; support < (1 << n); support++) {
            double[] x = solveOnSupport(a, b, scale, support, m, n);
            if (x == null) continue;
            double s = sse(a, b, x, scale);
            if (s < bestSse) {
                bestSse = s;
                best = x;
            }
        }
        var unscaled = new double[n];
        for (int j = 0; j < n; j++) unscaled[j] = scale[j] == 0 ? 0 : best[j] / scale[j];
        return unscaled;
    }

    /** Unconstrained solution (in scaled units) on the support's columns, or null if infeasible or rank deficient. */
    private static double[] solveOnSupport(double[][] a, double[] b, double[] scale, int support, int m, int n) {
        int k = Integer.bitCount(support);
        if (k > m) return null;
        int[] cols = new int[k];
        for (int j = 0, c = 0; j < n; j++) {
            if ((support & (1 << j)) != 0) {
                if (scale[j] == 0) return null; // an all-zero column carries no information
                cols[c++] = j;
            }
        }
        var sub = new double[m][k];
        for (int i = 0; i < m; i++) {
            for (int c = 0; c < k; c++) sub[i][c] = a[i][cols[c]] / scale[cols[c]];
        }
        double[] z = leastSquares(sub, b.clone());
        if (z == null) return null;
        var x = new double[n];
        for (int c = 0; c < k; c++) {
            if (z[c] < 0) return null;
            x[cols[c]] = z[c];
        }
        return x;
    }

    /** Householder QR least squares; overwrites its arguments; null when a column is dependent on the others. */
    static double[] leastSquares(double[][] r, double[] y) {
        int m = r.length;
        int k = r[0].length;
        var v = new double[m];
        double largestDiagonal = 0;
        for (int j = 0; j < k; j++) {
            double norm = 0;
            for (int i = j; i < m; i++) norm += r[i][j] * r[i][j];
            norm = Math.sqrt(norm);
            if (norm == 0) return null;
            // reflect column j onto -sign(r_jj) |col| e_j; the sign choice avoids cancellation in v_j
            double alpha = r[j][j] > 0 ? -norm : norm;
            double vNorm2 = 0;
            for (int i = j; i < m; i++) {
                v[i] = i == j ? r[j][j] - alpha : r[i][j];
                vNorm2 += v[i] * v[i];
            }
            for (int c = j; c < k; c++) reflect(r, c, v, j, m, vNorm2);
            double dot = 0;
            for (int i = j; i < m; i++) dot += v[i] * y[i];
            for (int i = j; i < m; i++) y[i] -= 2 * dot / vNorm2 * v[i];
            largestDiagonal = Math.max(largestDiagonal, Math.abs(r[j][j]));
        }
        for (int j = 0; j < k; j++) {
            if (Math.abs(r[j][j]) <= RANK_TOLERANCE * largestDiagonal) return null;
        }
        var x = new double[k];
        for (int j = k - 1; j >= 0; j--) {
            double s = y[j];
            for (int c = j + 1; c < k; c++) s -= r[j][c] * x[c];
            x[j] = s / r[j][j];
        }
        return x;
    }

    private static void reflect(double[][] r, int c, double[] v, int from, int m, double vNorm2) {
        double dot = 0;
        for (int i = from; i < m; i++) dot += v[i] * r[i][c];
        double f = 2 * dot / vNorm2;
        for (int i = from; i < m; i++) r[i][c] -= f * v[i];
    }

    private static double sse(double[][] a, double[] b, double[] scaledX, double[] scale) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double p = 0;
            for (int j = 0; j < scale.length; j++) {
                if (scale[j] != 0) p += a[i][j] / scale[j] * scaledX[j];
            }
            s += (p - b[i]) * (p - b[i]);
        }
        return s;
    }
}

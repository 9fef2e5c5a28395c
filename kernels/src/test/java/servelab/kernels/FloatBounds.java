package servelab.kernels;

/**
 * Error bounds for comparing two float computations of the same sum taken in different orders.
 *
 * <p>Summing {@code n} products in binary32, in any order, errs from the exact value by at most
 * {@code gamma(n) * sum |a_i b_i|} with {@code gamma(n) = n u / (1 - n u)} and {@code u = 2^-24} (Higham, Accuracy and
 * Stability of Numerical Algorithms, section 3.1). Two such computations therefore differ by at most twice that.
 */
public final class FloatBounds {
    private static final double U = 0x1p-24;

    private FloatBounds() {}

    public static double gamma(int n) {
        return n * U / (1 - n * U);
    }

    /** Largest difference two orderings of a sum of {@code n} terms with absolute sum {@code absSum} may show. */
    public static double sumOrder(int n, double absSum) {
        return 2 * gamma(n) * absSum;
    }
}

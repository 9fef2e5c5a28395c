package servelab.datasets.synthetic;

import java.util.random.RandomGenerator;

/**
 * Gamma(shape, 1) variates by Marsaglia and Tsang's method ("A simple method for generating gamma variables",
 * ACM TOMS 26(3), 2000): squeeze-and-reject on a transformed normal, about 1.03 normals per variate for shape
 * at least 1. A shape below 1 is boosted: Gamma(a) = Gamma(a + 1) * U^(1/a).
 */
final class GammaSampler {
    private GammaSampler() {
    }

    static double next(RandomGenerator random, double shape) {
        if (shape < 1) {
            double u = random.nextDouble();
            return next(random, shape + 1) * Math.pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3;
        double c = 1 / Math.sqrt(9 * d);
        while (true) {
            double x = random.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = random.nextDouble();
            double x2 = x * x;
            if (u < 1 - 0.0331 * x2 * x2) return d * v;
            if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return d * v;
        }
    }
}

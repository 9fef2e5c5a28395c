package servelab.datasets.synthetic;

import java.util.Arrays;
import java.util.random.RandomGenerator;

/** Draws from a {@link Lengths}; built once per generated trace (Zipf's table is built here). */
final class LengthSampler {
    private final Lengths lengths;
    private final double[] zipfCdf;
    private final int[] observed;

    LengthSampler(Lengths lengths) {
        this.lengths = lengths;
        this.zipfCdf = lengths instanceof Lengths.Zipf z ? zipfCdf(z) : null;
        this.observed = lengths instanceof Lengths.Empirical e ? e.values() : null;
    }

    int next(RandomGenerator random) {
        return switch (lengths) {
            case Lengths.Fixed f -> f.tokens();
            case Lengths.Uniform u -> (int) random.nextLong(u.min(), u.max() + 1L);
            case Lengths.Zipf z -> zipf(random);
            case Lengths.LogNormal l -> logNormal(l, random);
            case Lengths.Empirical e -> observed[random.nextInt(observed.length)];
        };
    }

    /** Inverse CDF: the smallest k whose cumulative probability reaches a uniform draw. */
    private int zipf(RandomGenerator random) {
        double u = random.nextDouble();
        int i = Arrays.binarySearch(zipfCdf, u);
        int index = i >= 0 ? i : -i - 1;
        return Math.min(index, zipfCdf.length - 1) + 1;
    }

    private static double[] zipfCdf(Lengths.Zipf z) {
        var cdf = new double[z.max()];
        double sum = 0;
        for (int k = 1; k <= z.max(); k++) {
            sum += Math.pow(k, -z.exponent());
            cdf[k - 1] = sum;
        }
        for (int k = 0; k < cdf.length; k++) cdf[k] /= sum;
        return cdf;
    }

    private static int logNormal(Lengths.LogNormal l, RandomGenerator random) {
        double value = Math.rint(l.median() * Math.exp(l.sigma() * random.nextGaussian()));
        return (int) Math.clamp(value, l.min(), l.max());
    }
}

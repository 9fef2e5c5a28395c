package servelab.datasets.synthetic;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import servelab.datasets.TraceRequest;
import servelab.common.seed.Seeds;

/**
 * A generated trace: {@code count} requests with arrivals from {@code arrivals}, lengths from {@code lengths} and
 * tenants from {@code tenants}, ids 0, 1, 2, ..., the first arriving at 0.
 *
 * <p>Deterministic: the same record gives the same requests on every iteration, on every machine with the same
 * JDK. Arrivals, input lengths, output lengths and tenants each draw from their own {@code L64X128MixRandom}
 * generator seeded from {@code (seed, which)}, so changing the length model leaves the arrival times unchanged
 * and vice versa: experiments can vary one factor at a time.
 *
 * @param count requests to generate, at least 1
 * @param seed  root of all randomness
 */
public record SyntheticTrace(Arrivals arrivals, LengthModel lengths, TenantMix tenants, int count, long seed)
        implements Iterable<TraceRequest> {

    private static final RandomGeneratorFactory<RandomGenerator> ALGORITHM = RandomGeneratorFactory.of("L64X128MixRandom");
    private static final long ARRIVAL_STREAM = 1;
    private static final long INPUT_STREAM = 2;
    private static final long OUTPUT_STREAM = 3;
    private static final long TENANT_STREAM = 4;
    private static final long[] NO_BLOCKS = new long[0];

    public SyntheticTrace {
        Objects.requireNonNull(arrivals, "SyntheticTrace.arrivals");
        Objects.requireNonNull(lengths, "SyntheticTrace.lengths");
        Objects.requireNonNull(tenants, "SyntheticTrace.tenants");
        if (count < 1) throw new IllegalArgumentException("SyntheticTrace.count must be >= 1, was " + count);
    }

    /** Independent input and output lengths, one tenant. */
    public static SyntheticTrace of(Arrivals arrivals, Lengths input, Lengths output, int count, long seed) {
        return new SyntheticTrace(arrivals, new LengthModel.Independent(input, output), TenantMix.SINGLE, count, seed);
    }

    /** Any length model (e.g. {@link LengthModel.Resampled} pairs from a real trace), one tenant. */
    public static SyntheticTrace of(Arrivals arrivals, LengthModel lengths, int count, long seed) {
        return new SyntheticTrace(arrivals, lengths, TenantMix.SINGLE, count, seed);
    }

    public SyntheticTrace withTenants(TenantMix mix) {
        return new SyntheticTrace(arrivals, lengths, mix, count, seed);
    }

    public SyntheticTrace withCount(int newCount) {
        return new SyntheticTrace(arrivals, lengths, tenants, newCount, seed);
    }

    public SyntheticTrace withSeed(long newSeed) {
        return new SyntheticTrace(arrivals, lengths, tenants, count, newSeed);
    }

    /** A fresh pass over the requests, from the first. */
    @Override
    public Iterator<TraceRequest> iterator() {
        return new Generator();
    }

    public Stream<TraceRequest> stream() {
        return StreamSupport.stream(spliterator(), false);
    }

    public List<TraceRequest> toList() {
        return stream().toList();
    }

    /** One generator per concern, seeded by mixing the root seed with the concern's number (SplitMix64). */
    private RandomGenerator generator(long stream) {
        return ALGORITHM.create(Seeds.ofStream(seed, stream));
    }

    private final class Generator implements Iterator<TraceRequest> {
        private final ArrivalClock clock = new ArrivalClock(arrivals, generator(ARRIVAL_STREAM));
        private final RandomGenerator inputRandom = generator(INPUT_STREAM);
        private final RandomGenerator outputRandom = generator(OUTPUT_STREAM);
        private final RandomGenerator tenantRandom = generator(TENANT_STREAM);
        private final double[] tenantWeights = tenants.cumulativeWeights();
        private final LengthSampler inputSampler;
        private final LengthSampler outputSampler;
        private int next;

        Generator() {
            if (lengths instanceof LengthModel.Independent(var input, var output)) {
                inputSampler = new LengthSampler(input);
                outputSampler = new LengthSampler(output);
            } else {
                inputSampler = null;
                outputSampler = null;
            }
        }

        @Override
        public boolean hasNext() {
            return next < count;
        }

        @Override
        public TraceRequest next() {
            if (next >= count) throw new NoSuchElementException("the synthetic trace has " + count + " requests");
            double seconds = clock.next();
            if (seconds > ArrivalClock.LAST_SECOND) {
                throw new IllegalStateException("generated arrival past 9.2e9 s: lower the count or raise the rate");
            }
            long arrivalNanos = Math.round(seconds * 1e9);
            int input;
            int output;
            switch (lengths) {
                case LengthModel.Independent ignored -> {
                    input = inputSampler.next(inputRandom);
                    output = outputSampler.next(outputRandom);
                }
                case LengthModel.Resampled pairs -> {
                    int pick = inputRandom.nextInt(pairs.size());
                    input = pairs.input(pick);
                    output = pairs.output(pick);
                }
            }
            var tenant = tenants.draw(tenantRandom, tenantWeights);
            return new TraceRequest(next++, arrivalNanos, input, output, tenant, 0, NO_BLOCKS, 0);
        }
    }
}

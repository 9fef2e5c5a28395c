package servelab.datasets.transform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import servelab.datasets.TraceRequest;
import servelab.common.seed.Seeds;

/**
 * A trace source followed by transforms, applied in order. Immutable: each {@code then} returns a new pipeline.
 *
 * {@snippet :
 * var requests = TracePipeline.of(TraceSource.of(file, ReadOptions.DEFAULT))
 *         .window(600, 1200)      // ten minutes from minute 10, shifted to start at 0
 *         .targetRate(8.0)        // then replayed at 8 req/s on average
 *         .renumber()
 *         .toList();
 * }
 */
public final class TracePipeline {
    private final TraceSource source;
    private final List<TraceTransform> steps;

    private TracePipeline(TraceSource source, List<TraceTransform> steps) {
        this.source = source;
        this.steps = List.copyOf(steps);
    }

    public static TracePipeline of(TraceSource source) {
        return new TracePipeline(Objects.requireNonNull(source, "source"), List.of());
    }

    public static TracePipeline of(List<TraceRequest> requests) {
        return of(TraceSource.of(requests));
    }

    public TracePipeline then(TraceTransform step) {
        var more = new ArrayList<>(steps);
        more.add(Objects.requireNonNull(step, "step"));
        return new TracePipeline(source, more);
    }

    public TracePipeline timeScale(double factor) {
        return then(new TraceTransform.TimeScale(factor));
    }

    public TracePipeline targetRate(double requestsPerSecond) {
        return then(new TraceTransform.TargetRate(requestsPerSecond));
    }

    public TracePipeline window(double startSeconds, double endSeconds) {
        return then(new TraceTransform.TimeWindow(startSeconds, endSeconds));
    }

    public TracePipeline first(long count) {
        return then(new TraceTransform.FirstN(count));
    }

    public TracePipeline renumber() {
        return then(new TraceTransform.Renumber());
    }

    /** See {@link TraceTransform.SharedPrefix}. */
    public TracePipeline sharedPrefix(int prompts, int promptTokens, double share, int blockTokens, long seed) {
        return then(new TraceTransform.SharedPrefix(prompts, promptTokens, share, blockTokens, seed));
    }

    public List<TraceTransform> steps() {
        return steps;
    }

    /**
     * The transformed requests, as a sequential stream to close after use (it closes the source). A
     * {@link TraceTransform.TargetRate} step reads the source once more, through the steps before it, before the
     * stream is returned.
     */
    public Stream<TraceRequest> stream() throws IOException {
        return apply(steps.size());
    }

    /** The transformed requests in memory. */
    public List<TraceRequest> toList() throws IOException {
        try (var requests = stream()) {
            return requests.toList();
        }
    }

    /** The source through the first {@code count} steps. */
    private Stream<TraceRequest> apply(int count) throws IOException {
        var requests = source.open();
        try {
            for (int i = 0; i < count; i++) {
                requests = switch (steps.get(i)) {
                    case TraceTransform.TimeScale s -> scale(requests, s.factor(), "time_scale " + s.factor());
                    case TraceTransform.TargetRate t -> scale(requests, measuredFactor(i, t.requestsPerSecond()),
                            "target_rate " + t.requestsPerSecond());
                    case TraceTransform.TimeWindow w -> window(requests, w);
                    case TraceTransform.FirstN f -> requests.limit(f.count());
                    case TraceTransform.Renumber r -> renumber(requests);
                    case TraceTransform.SharedPrefix p -> requests.map(r -> sharePrefix(r, p));
                };
            }
            return requests;
        } catch (IOException | RuntimeException e) {
            requests.close();
            throw e;
        }
    }

    private static TraceRequest sharePrefix(TraceRequest r, TraceTransform.SharedPrefix p) {
        if (r.prefixBlockIds().length > 0) {
            throw new IllegalArgumentException("SharedPrefix: request " + r.id() + " already has prefix blocks; the "
                    + "transform is for traces without prefix information");
        }
        var random = new java.util.SplittableRandom(Seeds.ofRequest(p.seed(), r.id()));
        if (random.nextDouble() >= p.share()) return r;
        int prompt = random.nextInt(p.prompts());
        int blocks = Math.min(p.promptTokens(), r.inputTokens()) / p.blockTokens();
        if (blocks == 0) return r;
        var ids = new long[blocks];
        for (int i = 0; i < blocks; i++) ids[i] = ((long) (prompt + 1) << 32) | i; // prompt k's block i, never a trace id's shape
        return new TraceRequest(r.id(), r.arrivalNanos(), r.inputTokens(), r.outputTokens(), r.tenant(), r.priority(),
                ids, p.blockTokens());
    }

    /**
     * Arrivals times {@code factor}; one past the run clock's range (about 292 years) is refused, naming {@code what}:
     * rounded to the largest long, every such request was silently never replayed.
     */
    private static Stream<TraceRequest> scale(Stream<TraceRequest> requests, double factor, String what) {
        return requests.map(r -> {
            double scaled = r.arrivalNanos() * factor;
            if (scaled >= 9.2e18) {
                throw new IllegalArgumentException(what + ": request " + r.id() + " would arrive "
                        + r.arrivalNanos() / 1e9 * factor + " s after the trace's start, past the run clock's range (9.2e9 s)");
            }
            return r.withIdAndArrival(r.id(), Math.round(scaled));
        });
    }

    /** The factor that turns the rate of the stream before step {@code index} into {@code target}. */
    private double measuredFactor(int index, double target) throws IOException {
        long count = 0;
        long first = 0;
        long last = 0;
        try (var before = apply(index)) {
            var it = before.iterator();
            while (it.hasNext()) {
                long arrival = it.next().arrivalNanos();
                if (count++ == 0) first = arrival;
                last = arrival;
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        if (count < 2 || last == first) {
            throw new IllegalArgumentException("target_rate needs at least two requests at different times to measure "
                    + "the trace's rate, got " + count + " request(s) spanning " + (last - first) + " ns");
        }
        double rate = count / ((last - first) / 1e9);
        return rate / target;
    }

    private static Stream<TraceRequest> window(Stream<TraceRequest> requests, TraceTransform.TimeWindow w) {
        long start = Math.round(w.startSeconds() * 1e9);
        long end = w.endSeconds() * 1e9 >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.round(w.endSeconds() * 1e9);
        var origin = new AtomicLong(-1);
        return requests.dropWhile(r -> r.arrivalNanos() < start)
                .takeWhile(r -> r.arrivalNanos() < end)
                .map(r -> {
                    if (origin.get() < 0) origin.set(r.arrivalNanos());
                    return r.withIdAndArrival(r.id(), r.arrivalNanos() - origin.get());
                });
    }

    private static Stream<TraceRequest> renumber(Stream<TraceRequest> requests) {
        var next = new AtomicLong();
        return requests.map(r -> r.withIdAndArrival(next.getAndIncrement(), r.arrivalNanos()));
    }
}

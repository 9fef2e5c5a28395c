package servelab.datasets.transform;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import servelab.datasets.ReadOptions;
import servelab.datasets.TraceRequest;
import servelab.datasets.Traces;

/**
 * Where a pipeline's requests come from; it can be opened more than once, because some transforms
 * ({@link TraceTransform.TargetRate}) need a first pass to measure the trace. Each {@link #open()} yields the
 * same requests in arrival order; the caller closes the stream.
 */
@FunctionalInterface
public interface TraceSource {

    Stream<TraceRequest> open() throws IOException;

    /** A trace file (format detected), read anew on each open. */
    static TraceSource of(Path file, ReadOptions options) {
        return () -> Traces.stream(file, options);
    }

    /** Requests already in memory (a generated trace, say). */
    static TraceSource of(List<TraceRequest> requests) {
        var copy = List.copyOf(requests);
        return copy::stream;
    }

    /** Any re-iterable requests, e.g. a {@code SyntheticTrace}. */
    static TraceSource of(Iterable<TraceRequest> requests) {
        return () -> StreamSupport.stream(requests.spliterator(), false);
    }
}

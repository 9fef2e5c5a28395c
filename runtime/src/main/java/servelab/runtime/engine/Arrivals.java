package servelab.runtime.engine;

import java.util.Iterator;

import servelab.datasets.TraceRequest;

/** The trace, one request ahead, checked to be in arrival order. */
final class Arrivals {
    private final Iterator<TraceRequest> trace;
    private TraceRequest next;
    private long last = Long.MIN_VALUE;

    Arrivals(Iterator<TraceRequest> trace) {
        this.trace = trace;
        this.next = trace.hasNext() ? trace.next() : null;
    }

    long peekNanos() {
        return next == null ? Long.MAX_VALUE : next.arrivalNanos();
    }

    TraceRequest next() {
        var r = next;
        if (r.arrivalNanos() < last) {
            throw new EngineException("trace is not in arrival order: request " + r.id() + " arrives at "
                    + r.arrivalNanos() + " ns, before the previous one at " + last + " ns");
        }
        last = r.arrivalNanos();
        next = trace.hasNext() ? trace.next() : null;
        return r;
    }
}

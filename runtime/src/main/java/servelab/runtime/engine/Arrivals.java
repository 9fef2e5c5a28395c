package servelab.runtime.engine;

import java.util.Iterator;

import servelab.datasets.TraceRequest;

/**
 * The trace, one request ahead, checked to be in arrival order. A request the reader fails on is reported when it would
 * have been next ({@link TraceReadFailure}, once); the trace then ends there.
 */
final class Arrivals {
    private final Iterator<TraceRequest> trace;
    private TraceRequest next;
    private RuntimeException unreadable;
    private long last = Long.MIN_VALUE;

    Arrivals(Iterator<TraceRequest> trace) {
        this.trace = trace;
        readAhead();
    }

    private void readAhead() {
        try {
            next = trace.hasNext() ? trace.next() : null;
        } catch (RuntimeException e) {
            next = null;
            unreadable = e;
        }
    }

    long peekNanos() {
        if (unreadable != null) {
            var e = unreadable;
            unreadable = null;
            throw new TraceReadFailure(e);
        }
        return next == null ? Long.MAX_VALUE : next.arrivalNanos();
    }

    TraceRequest next() {
        var r = next;
        if (r.arrivalNanos() < last) {
            throw new EngineException("trace is not in arrival order: request " + r.id() + " arrives at "
                    + r.arrivalNanos() + " ns, before the previous one at " + last + " ns");
        }
        last = r.arrivalNanos();
        readAhead();
        return r;
    }
}

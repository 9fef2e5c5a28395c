package servelab.datasets.transform;

/**
 * One step of a {@link TracePipeline}. All are deterministic, keep arrival order, and stream (constant memory)
 * except where noted; times are in seconds of the trace as the step receives it.
 */
public sealed interface TraceTransform permits TraceTransform.TimeScale, TraceTransform.TargetRate,
        TraceTransform.TimeWindow, TraceTransform.FirstN, TraceTransform.Renumber {

    /**
     * Multiplies every arrival time by {@code factor} (rounded to the nanosecond): 0.5 halves every gap and
     * doubles the rate; 2 stretches the trace to twice its length.
     */
    record TimeScale(double factor) implements TraceTransform {
        public TimeScale {
            if (!(factor > 0) || Double.isInfinite(factor)) {
                throw new IllegalArgumentException("TimeScale.factor must be finite and > 0, was " + factor);
            }
        }
    }

    /**
     * Rescales arrival times so the mean rate, requests / (last arrival - first arrival), becomes
     * {@code requestsPerSecond}: a {@link TimeScale} whose factor a first pass over the source measures. Needs at
     * least two requests at different times.
     */
    record TargetRate(double requestsPerSecond) implements TraceTransform {
        public TargetRate {
            if (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond)) {
                throw new IllegalArgumentException("TargetRate.requestsPerSecond must be finite and > 0, was "
                        + requestsPerSecond);
            }
        }
    }

    /**
     * Keeps the requests arriving in {@code [startSeconds, endSeconds)} and shifts them so the first kept one
     * arrives at 0 (a trace starts with its first request). Ids are kept (they still point into the source);
     * follow with {@link Renumber} for ids from 0. Stops reading the source at the window's end.
     */
    record TimeWindow(double startSeconds, double endSeconds) implements TraceTransform {
        public TimeWindow {
            if (!(startSeconds >= 0) || Double.isInfinite(startSeconds)) {
                throw new IllegalArgumentException("TimeWindow.startSeconds must be finite and >= 0, was " + startSeconds);
            }
            if (!(endSeconds > startSeconds)) {
                throw new IllegalArgumentException("TimeWindow.endSeconds must be > startSeconds (" + startSeconds
                        + "), was " + endSeconds);
            }
        }
    }

    /** Keeps the first {@code count} requests. */
    record FirstN(long count) implements TraceTransform {
        public FirstN {
            if (count < 1) throw new IllegalArgumentException("FirstN.count must be >= 1, was " + count);
        }
    }

    /** Gives the requests ids 0, 1, 2, ... in arrival order. */
    record Renumber() implements TraceTransform {
    }
}

package servelab.datasets.transform;

/**
 * One step of a {@link TracePipeline}. All are deterministic, keep arrival order, and stream (constant memory)
 * except where noted; times are in seconds of the trace as the step receives it.
 */
public sealed interface TraceTransform permits TraceTransform.SharedPrefix, TraceTransform.TimeScale, TraceTransform.TargetRate,
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

    /**
     * Controlled prefix sharing for traces without prefix information (Azure, BurstGPT, synthetic): a share of the
     * requests start with one of {@code prompts} shared system prompts of {@code promptTokens} tokens (rounded down
     * to whole blocks of {@code blockTokens}, so a shared block never holds a request's own tokens), chosen
     * uniformly; the choice for a request depends only on {@code seed} and the request's id. The shared part is
     * expressed as prefix blocks, so the engine's prefix cache sees it; the rest of each prompt stays unique. A
     * prompt shorter than the system prompt shares only its own length.
     */
    record SharedPrefix(int prompts, int promptTokens, double share, int blockTokens, long seed)
            implements TraceTransform {
        public SharedPrefix {
            if (prompts < 1) throw new IllegalArgumentException("SharedPrefix.prompts must be >= 1, was " + prompts);
            if (blockTokens < 1) throw new IllegalArgumentException("SharedPrefix.blockTokens must be >= 1, was " + blockTokens);
            if (promptTokens < blockTokens) {
                throw new IllegalArgumentException("SharedPrefix.promptTokens must be >= blockTokens (" + blockTokens
                        + "), was " + promptTokens);
            }
            if (!(share >= 0 && share <= 1)) throw new IllegalArgumentException("SharedPrefix.share must be in [0, 1], was " + share);
        }
    }
}

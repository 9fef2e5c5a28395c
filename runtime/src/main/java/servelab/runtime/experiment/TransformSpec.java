package servelab.runtime.experiment;

import java.util.List;

/**
 * Transforms applied to the trace, in this order: window, first, time scale, target rate.
 *
 * @param windowS    keep requests arriving in [start, end) seconds (a two-element list)
 * @param first      keep the first N requests (0: all)
 * @param timeScale  multiply arrival times (0.5 = twice the rate)
 * @param targetRate rescale arrivals to this mean rate in req/s (0: keep)
 * @param sharedPrefix shared system prompts for traces without prefix information (applied last)
 */
public record TransformSpec(List<Double> windowS, long first, double timeScale, double targetRate,
                            SharedPrefixSpec sharedPrefix) {
    public static final TransformSpec NONE = new TransformSpec(null, 0, 0, 0, null);

    public TransformSpec {
        if (windowS != null && windowS.size() == 2 && !(windowS.get(0) >= 0)) {
            throw new IllegalArgumentException("trace.transforms.window_s must start at 0 s or later (seconds from "
                    + "the trace's first row), was " + windowS);
        }
        if (windowS != null && (windowS.size() != 2 || windowS.get(0) >= windowS.get(1))) {
            throw new IllegalArgumentException("trace.transforms.window_s must be [start, end] with start < end, was "
                    + windowS);
        }
        if (first < 0) throw new IllegalArgumentException("trace.transforms.first must be >= 0 (0: all), was " + first);
        if (timeScale < 0) {
            throw new IllegalArgumentException("trace.transforms.time_scale must be > 0 (0.5: twice the rate), was "
                    + timeScale);
        }
        if (targetRate < 0) {
            throw new IllegalArgumentException("trace.transforms.target_rate must be >= 0 (0: keep the trace's), was "
                    + targetRate);
        }
        if (targetRate > 0 && timeScale > 0 && timeScale != 1) { // the rate was target_rate's, and time_scale ignored
            throw new IllegalArgumentException("trace.transforms: give time_scale (" + timeScale + ") or target_rate ("
                    + targetRate + "), not both: target_rate sets the rate whatever time_scale did");
        }
    }
}

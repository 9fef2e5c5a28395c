package servelab.runtime.experiment;

/** Requests: a trace file or a synthetic generator, then transforms. */
/**
 * @param zeroTokens what a file's row of 0 input or 0 output tokens becomes: {@code skip} (default: left out and
 *                   counted in run.json's {@code rows_skipped.zero_tokens}) or {@code clamp} (replayed with 1 token
 *                   where it says 0, keeping the arrival pattern whole, e.g. BurstGPT's failed rows; counted in
 *                   {@code rows_clamped}). Left out of an experiment's canonical form while unset, so sweep point
 *                   ids of experiments that do not set it stay what they were.
 */
public record TraceSpec(String file, String format, boolean skipBadRows, SyntheticSpec synthetic,
                        TransformSpec transforms,
                        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                        String zeroTokens) {
    /** The demo's workload: 600 requests at 6 req/s with log-normal lengths, made by the project. */
    public static final TraceSpec DEMO = new TraceSpec(null, null, false, SyntheticSpec.DEMO, null, null);

    public TraceSpec {
        if (zeroTokens != null && !zeroTokens.equals("skip") && !zeroTokens.equals("clamp")) {
            throw new IllegalArgumentException("trace.zero_tokens '" + zeroTokens + "' is unknown; accepted: skip, clamp");
        }
        if (file != null && synthetic != null) {
            throw new IllegalArgumentException("trace: give either file or synthetic, not both");
        }
        if (file == null && synthetic == null) synthetic = SyntheticSpec.DEMO;
        format = format == null ? "auto" : format;
        if (!format.equals("auto")) { // was found unknown only once the run had started, without the key
            try {
                servelab.datasets.TraceFormat.fromId(format);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("trace.format: " + e.getMessage() + ", or auto");
            }
        }
        transforms = transforms == null ? TransformSpec.NONE : transforms;
    }
}

package servelab.runtime.experiment;

/** Requests: a trace file or a synthetic generator, then transforms. */
public record TraceSpec(String file, String format, boolean skipBadRows, SyntheticSpec synthetic,
                        TransformSpec transforms) {
    /** The demo's workload: 600 requests at 6 req/s with log-normal lengths, made by the project. */
    public static final TraceSpec DEMO = new TraceSpec(null, null, false, SyntheticSpec.DEMO, null);

    public TraceSpec {
        if (file != null && synthetic != null) {
            throw new IllegalArgumentException("trace: give either file or synthetic, not both");
        }
        if (file == null && synthetic == null) synthetic = SyntheticSpec.DEMO;
        format = format == null ? "auto" : format;
        transforms = transforms == null ? TransformSpec.NONE : transforms;
    }
}

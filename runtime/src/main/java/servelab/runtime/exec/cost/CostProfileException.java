package servelab.runtime.exec.cost;

import java.util.Optional;

/**
 * A cost profile that cannot be used: a missing, unknown or out-of-range field, an unreadable file, weights that do
 * not fit, or a measured table whose fit is worse than the profile allows. The message reads
 * {@code "<file>: <field> <problem>"}, and names the accepted fields or values where there is a fixed set.
 */
public final class CostProfileException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String field;
    private final String problem;

    /**
     * @param source  the profile file (or bundled name) the problem is in; {@code null} when the value was built in
     *                code and the reader adds the file later through {@link #inSource(String)}
     * @param field   dotted YAML path of the field, e.g. {@code hardware.memory_bandwidth_bytes_per_s}
     * @param problem what is wrong, starting with a verb: "must be > 0, was -1.0"
     */
    public CostProfileException(String source, String field, String problem) {
        this(source, field, problem, null);
    }

    public CostProfileException(String source, String field, String problem, Throwable cause) {
        super((source == null ? "" : source + ": ") + field + " " + problem, cause);
        this.source = source;
        this.field = field;
        this.problem = problem;
    }

    /** An exception for a value built in code (no file yet). */
    static CostProfileException field(String field, String problem) {
        return new CostProfileException(null, field, problem);
    }

    /** The same problem, located in {@code source} unless it already names a file. */
    CostProfileException inSource(String newSource) {
        return source != null ? this : new CostProfileException(newSource, field, problem, getCause());
    }

    /** The profile file or bundled name, when known. */
    public Optional<String> source() {
        return Optional.ofNullable(source);
    }

    /** Dotted YAML path of the offending field. */
    public String field() {
        return field;
    }
}

package servelab.runtime.host;

/**
 * What the host reports while a run goes on: deployments, failures and swaps it made. Called from the host's
 * threads; implementations must be thread-safe.
 */
public interface HostListener {
    /**
     * @param type   {@code deploy}, {@code fault} or {@code info}
     * @param kind   plugin kind, or empty
     * @param from   what was there before (name@version), or empty
     * @param to     what is there now, or empty
     * @param detail the bundle file and, for a fault, the reason
     */
    void report(String type, String kind, String from, String to, String detail);

    /** Prints reports to standard error. */
    HostListener STDERR = (type, kind, from, to, detail) -> System.err.println("servelab: " + type
            + (kind.isEmpty() ? "" : " " + kind) + (from.isEmpty() && to.isEmpty() ? "" : " " + from + " -> " + to)
            + (detail.isEmpty() ? "" : ": " + detail));
}

package servelab.runtime.report;

import java.util.Locale;

/**
 * A span {@code [startS, endS)} of the run clock a summary covers: the latencies and outcomes of the requests that
 * arrived in it, and the throughputs of what completed in it over its length. A run's first requests meet an empty
 * system and its last ones a draining one; a window between them measures the steady state
 * ({@code servelab report --window 60,600}). {@link #ALL} covers every request.
 */
public record Window(double startS, double endS) {
    public static final Window ALL = new Window(0, Double.POSITIVE_INFINITY);

    public Window {
        if (!(startS >= 0) || !(endS > startS)) {
            throw new IllegalArgumentException("a window needs 0 <= START < END seconds, was " + startS + "," + endS);
        }
    }

    /** {@code START,END} in seconds, e.g. {@code 60,600}. */
    public static Window parse(String text) {
        var parts = text.split(",", -1);
        if (parts.length != 2) throw new IllegalArgumentException("--window takes START,END in seconds, e.g. 60,600; was '" + text + "'");
        try {
            return new Window(Double.parseDouble(parts[0].strip()), Double.parseDouble(parts[1].strip()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--window takes START,END in seconds, e.g. 60,600; was '" + text + "'");
        }
    }

    public boolean isAll() {
        return startS == 0 && endS == Double.POSITIVE_INFINITY;
    }

    /** Whether a request that arrived at {@code arrivalNs}, or a completion then (run clock), is in the window. */
    boolean contains(long arrivalNs) {
        return isAll() || arrivalNs >= startS * 1e9 && arrivalNs < endS * 1e9; // (an import may lack arrivals: -1)
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "[%s s, %s s)", number(startS), number(endS));
    }

    private static String number(double s) {
        return s == Math.rint(s) && Math.abs(s) < 1e15 ? Long.toString((long) s) : Double.toString(s);
    }
}

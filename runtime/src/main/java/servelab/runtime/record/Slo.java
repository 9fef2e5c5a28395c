package servelab.runtime.record;

import java.util.ArrayList;
import java.util.OptionalDouble;

/**
 * Service-level objectives in milliseconds, as vLLM's {@code bench serve --goodput ttft:200 tpot:50 e2el:2000}:
 * a completed request is <em>good</em> when each given objective is met ({@code value <= bound}). Like vLLM, a
 * request with at most one output token has no TPOT and counts as TPOT 0 here.
 *
 * @param ttftMs bound on time to first token
 * @param tpotMs bound on time per output token after the first
 * @param e2elMs bound on end-to-end latency
 */
public record Slo(OptionalDouble ttftMs, OptionalDouble tpotMs, OptionalDouble e2elMs) {

    /** No objectives: every goodput figure is absent. */
    public static final Slo NONE = new Slo(OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty());

    private static final String ACCEPTED = "accepted keys: ttft, tpot, e2el (milliseconds)";

    public Slo {
        check("ttft", ttftMs);
        check("tpot", tpotMs);
        check("e2el", e2elMs);
    }

    /**
     * Parses {@code key=milliseconds} pairs separated by commas, e.g. {@code "ttft=200,tpot=50,e2el=2000"}.
     * A blank text gives {@link #NONE}.
     *
     * @throws IllegalArgumentException naming the bad pair or key and listing the accepted keys
     */
    public static Slo parse(String text) {
        if (text == null || text.isBlank()) return NONE;
        var ttft = OptionalDouble.empty();
        var tpot = OptionalDouble.empty();
        var e2el = OptionalDouble.empty();
        for (String pair : text.split(",", -1)) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("SLO '" + pair.strip() + "' in '" + text + "' must be key=milliseconds; "
                        + ACCEPTED);
            }
            String key = pair.substring(0, eq).strip();
            var value = OptionalDouble.of(milliseconds(key, pair.substring(eq + 1).strip()));
            switch (key) {
                case "ttft" -> ttft = once(key, ttft, value);
                case "tpot" -> tpot = once(key, tpot, value);
                case "e2el" -> e2el = once(key, e2el, value);
                default -> throw new IllegalArgumentException("unknown SLO key '" + key + "' in '" + text + "'; "
                        + ACCEPTED);
            }
        }
        return new Slo(ttft, tpot, e2el);
    }

    /** Whether no objective is given. */
    public boolean isEmpty() {
        return ttftMs.isEmpty() && tpotMs.isEmpty() && e2elMs.isEmpty();
    }

    /**
     * Whether a completed request meets every given objective. A NaN TTFT or E2EL (unknown) meets no bound on it;
     * a NaN TPOT (one output token or none) counts as 0, as in vLLM.
     */
    public boolean isMet(double ttft, double tpot, double e2el) {
        return meets(ttftMs, ttft) && meets(tpotMs, Double.isNaN(tpot) ? 0 : tpot) && meets(e2elMs, e2el);
    }

    /** The canonical text, e.g. {@code ttft=200,e2el=2000}; {@code ""} for {@link #NONE}. */
    @Override
    public String toString() {
        var parts = new ArrayList<String>();
        ttftMs.ifPresent(v -> parts.add("ttft=" + number(v)));
        tpotMs.ifPresent(v -> parts.add("tpot=" + number(v)));
        e2elMs.ifPresent(v -> parts.add("e2el=" + number(v)));
        return String.join(",", parts);
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static boolean meets(OptionalDouble bound, double value) {
        return bound.isEmpty() || value <= bound.getAsDouble();   // NaN <= x is false: unknown fails the bound
    }

    private static double milliseconds(String key, String value) {
        try {
            double ms = Double.parseDouble(value);
            if (ms >= 0 && Double.isFinite(ms)) return ms;
        } catch (NumberFormatException e) {
            // reported below with the key
        }
        throw new IllegalArgumentException("SLO '" + key + "' needs a number of milliseconds >= 0, was '" + value + "'");
    }

    private static OptionalDouble once(String key, OptionalDouble previous, OptionalDouble value) {
        if (previous.isPresent()) throw new IllegalArgumentException("SLO '" + key + "' is given twice");
        return value;
    }

    private static void check(String key, OptionalDouble bound) {
        if (bound == null) throw new NullPointerException("Slo." + key + "Ms");
        if (bound.isPresent() && !(bound.getAsDouble() >= 0 && Double.isFinite(bound.getAsDouble()))) {
            throw new IllegalArgumentException("Slo." + key + "Ms must be a finite number >= 0, was " + bound.getAsDouble());
        }
    }
}

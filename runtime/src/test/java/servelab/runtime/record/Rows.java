package servelab.runtime.record;

/** Tiny rows for tests, with times given in milliseconds for readability. */
public final class Rows {

    private Rows() {
    }

    public static long ms(double millis) {
        return Math.round(millis * 1_000_000);
    }

    /** A successful request: arrives, is scheduled at arrival, produces tokens at the given times, ends at the last. */
    public static RequestRow ok(long id, double arrivalMs, double... tokenMs) {
        var times = new long[tokenMs.length];
        for (int i = 0; i < times.length; i++) times[i] = ms(tokenMs[i]);
        long first = times.length == 0 ? -1 : times[0];
        long end = times.length == 0 ? ms(arrivalMs) : times[times.length - 1];
        return new RequestRow(id, 0, "default", 0, ms(arrivalMs), ms(arrivalMs), first, end, 10, times.length, 0, 0,
                times, 0, 0, 0, "");
    }

    /** A request that failed after arriving, never scheduled. */
    public static RequestRow failed(long id, double arrivalMs, String error) {
        return new RequestRow(id, -1, "default", 0, ms(arrivalMs), -1, -1, -1, 10, 0, 0, 0, new long[0], 0, 0, 0,
                error);
    }

    public static IterationRow iteration(long i, double startMs, double endMs) {
        return new IterationRow(i, 0, ms(startMs), ms(endMs), 2, 1, 1, 8, 1, 0, 2, 3, 16, 2, 40, 8, 8, 4, 0, 1500,
                "fcfs@1.0.0", "continuous@1.0.0");
    }

    public static EventRow swap(double timeMs, long iteration) {
        return new EventRow(ms(timeMs), iteration, 0, "swap", "scheduler", "fcfs@1.0.0", "sjf@1.0.0", "");
    }
}

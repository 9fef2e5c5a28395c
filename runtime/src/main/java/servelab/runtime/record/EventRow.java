package servelab.runtime.record;

/** Placeholder; replaced by the results work. */
public record EventRow(long timeNanos, long iteration, int replica, String type, String kind, String from,
    String to, String detail) {}

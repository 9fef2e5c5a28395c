package servelab.datasets.internal;

/**
 * One row as the file says it, before it becomes a request: token counts may be 0 and the time is the format's
 * own clock (epoch nanoseconds for Azure, nanoseconds from the trace's zero for the others). Reused from row to
 * row so parsing allocates nothing but what a request keeps (tenant strings are shared, block ids are copied).
 */
public final class RawRow {
    public static final long[] NO_BLOCKS = new long[0];

    public long timeNanos;
    public int inputTokens;
    public int outputTokens;
    public String tenant = "default";
    public int priority;
    public long[] prefixBlockIds = NO_BLOCKS;
    public int prefixBlockTokens;
    /** 1-based line the row was read from. */
    public long line;
}

package servelab.datasets;

/**
 * Why a reader left a row out. Counted per reader ({@link TraceReader#skippedRows()}) and, for the first three,
 * only when {@link ReadOptions#badRows()} is {@link ReadOptions.BadRows#SKIP}; otherwise such a row is an error.
 */
public enum SkipReason {
    /** The row has fewer or more columns than the header, or the file ends mid-row. */
    WRONG_COLUMN_COUNT("with the wrong number of columns"),
    /** A value is not what its column holds: not a number, negative, a malformed timestamp, invalid JSON. */
    BAD_VALUE("with a malformed value"),
    /** The row arrives before the row accepted just before it. */
    OUT_OF_ORDER("arriving before the previous row"),
    /**
     * The row asks for 0 input or 0 output tokens (Azure and BurstGPT failures have 0 response tokens);
     * counted whatever {@link ReadOptions#badRows()} says, and only when {@link ReadOptions#zeroTokens()} is
     * {@link ReadOptions.ZeroTokens#SKIP}.
     */
    ZERO_TOKENS("with 0 input or 0 output tokens");

    private final String description;

    SkipReason(String description) {
        this.description = description;
    }

    /** Words that finish "skipped N rows ...", for warnings. */
    public String description() {
        return description;
    }
}
